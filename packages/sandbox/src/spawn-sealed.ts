import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { CappedOutput } from './capped-output.js';
import { InitReportReader, initExitCode } from './init-report.js';
import { executablesOf, writableDevices } from './landlock-rules.js';
import {
  namespaceInitArgument,
  namespaceInitEnvName,
  namespaceInitSource,
} from './namespace-init.js';
import {
  encodeNativeInitConfig,
  nativeInitPath,
  programUid,
  type SealedLimits,
  type VerifiedCopy,
} from './native-init.js';
import {
  assumedSupport,
  denyNetworkProfile,
  freshNamespaceFlags,
  type IsolationSupport,
  isolationSupport,
  pidNamespaceFlags,
  probedSupport,
} from './probe-isolation.js';
import {
  defaultSafePath,
  parseSafePath,
  resolveAllowlist,
  resolveProgram,
} from './resolve-program.js';
import { SandboxError } from './sandbox-error.js';
import { buildSealedEnv } from './sealed-env.js';
import type { SpawnerLeader, SpawnerProcess } from './spawner-process.js';
import { type VerifiedFile, verifiedCopies } from './verified-exec.js';

/** Options of {@link spawnSealed}. */
export interface SpawnSealedOptions {
  /**
   * The program and its arguments, passed as they are: no shell ever reads
   * them. `argv[0]` is `./x` or `x/y` (relative to `cwd`), an absolute path,
   * or a bare name looked up only in `path`, never in the caller's `PATH`.
   */
  argv: readonly string[];
  /**
   * The variables the child gets on top of the baseline (`PATH` = `path`,
   * `HOME` from the password database, `LANG=C.UTF-8`, `TERM=dumb`,
   * `TMPDIR=/tmp`; the baseline values other than `PATH` may be overridden).
   * Nothing is inherited from `process.env`. `PATH`, `LD_*`, `DYLD_*`,
   * `NODE_OPTIONS`, `BASH_ENV`, `ENV`, `BASH_FUNC_*`, `SHELLOPTS`,
   * `BASHOPTS` and `GCONV_PATH` are refused with `INVALID_OPTIONS`.
   * @default {}
   */
  env?: Readonly<Record<string, string>>;
  /** The absolute working directory of the child. */
  cwd: string;
  /** Time to live in milliseconds: then SIGTERM to the whole tree, SIGKILL after `killGraceMs`. */
  ttlMs: number;
  /** Milliseconds between SIGTERM and SIGKILL when the TTL ends or the run is canceled. @default 2000 */
  killGraceMs?: number;
  /**
   * Run in a fresh network namespace (Linux) or under `sandbox-exec` denying
   * the network (macOS). Where neither is available the spawn is refused
   * with `ISOLATION_UNAVAILABLE`; it never runs open.
   * @default false
   */
  noNetwork?: boolean;
  /**
   * Extra executables the command may run besides `argv[0]` (absolute paths
   * or names looked up in `path`). When the list is not empty, on Linux with
   * Landlock (native init), the program and its descendants can execute
   * nothing else: only `argv[0]`, these entries, the interpreter of a `#!`
   * line and the dynamic loader of each (see the README); where that cannot
   * be had the spawn is refused unless `isolation` is `'best-effort'`. An
   * empty list leaves exec unconfined.
   * @default []
   */
  allow?: readonly string[];
  /**
   * The absolute paths beneath which the program may write, create, remove
   * or truncate files (Linux with Landlock). A private temporary directory,
   * given as `TMPDIR` (an empty tmpfs of the run's own, in memory, that no
   * other run sees and that is gone with the run), and `/dev/null`,
   * `/dev/zero` and `/dev/full` are always writable; nothing else is. Entries are used as given, never
   * resolved: one with a symlink in its path is refused (`INVALID_OPTIONS`),
   * and one swapped for a symlink after that check fails the run
   * (`SPAWN_FAILED`, ELOOP), so a link can never widen what is writable. An
   * entry that does not exist allows nothing.
   * @default [the real path of cwd]
   */
  write?: readonly string[];
  /**
   * The `PATH` bare names are looked up in, and the child's `PATH`. Every
   * entry must be absolute.
   * @default '/usr/local/bin:/usr/bin:/bin' (plus '/opt/homebrew/bin' on macOS)
   */
  path?: string;
  /** Bytes kept per stream; the rest is counted and dropped, and `truncated` is set. @default 8 MiB */
  maxOutputBytes?: number;
  /** Cancels the run as the TTL would (SIGTERM, grace, SIGKILL); the result has `canceled: true`. @default undefined */
  signal?: AbortSignal;
  /**
   * Resource limits for the program, set by the native init (Linux): core
   * dumps are always off, and the caller's CPU, file-size, process and
   * memory limits are replaced by these (or their defaults).
   * @default {} (see {@link SealedLimits} for each default)
   */
  limits?: SealedLimits;
  /**
   * `strict`: on Linux, refuse with `ISOLATION_UNAVAILABLE` (saying why and
   * how to fix it) where a PID namespace cannot be made, rather than run
   * with a process group only. `best-effort`: run with what is available.
   * Either way `result.isolation` says what the run had.
   * @default 'strict'
   */
  isolation?: 'strict' | 'best-effort';
  /**
   * Files whose content a person trusted (path and SHA-256, from the trust
   * record). The program, and a shell's script argument, that is one of them
   * is read once and checked before the run (`CONTENT_CHANGED` when it
   * differs, and nothing runs); under the native init it then runs from a
   * sealed in-memory copy of the checked bytes (`execveat`; sh, dash and
   * bash run `-c '. /dev/fd/N' <path> args…` so `$0` stays the path given,
   * other shells read `/dev/fd/N`), so a swap or rewrite of the file
   * after the check cannot change what runs. Another argument naming one of
   * them (`node ./x.js`) is checked, then runs by path.
   * @default []
   */
  verified?: readonly VerifiedFile[];
  /**
   * The real path `argv[0]` must resolve to (what trust recorded for a
   * program named through links, such as a project venv's
   * `.venv/bin/python3`). When `argv[0]` now resolves to another file,
   * nothing runs (`CONTENT_CHANGED`); otherwise this file is executed by
   * its real path, with `argv[0]` as written, so a link retargeted after
   * the check is never followed.
   * @default undefined: `argv[0]` is resolved and run, whatever file it names
   */
  realProgram?: string;
}

/** Which isolation a sealed run actually had. */
export interface SealedIsolation {
  /**
   * - `namespaces`: user, PID, IPC and UTS namespaces (and network with `noNetwork`);
   * - `network-namespace`: a network namespace only (no PID namespace: best-effort);
   * - `sandbox-exec`: macOS `sandbox-exec` denying the network;
   * - `process-group`: its own process group only.
   */
  kind: 'namespaces' | 'network-namespace' | 'sandbox-exec' | 'process-group';
  /** The init that ran as PID 1: the native one, the Node fallback, or none. */
  init: 'native' | 'node' | null;
  /** Whether the run was allowed less than full isolation (`isolation: 'best-effort'`). */
  bestEffort: boolean;
  /**
   * Whether Landlock confined the program: it could write only beneath
   * `write`, its private `TMPDIR` and `/dev/null`, and, when `allow` was not
   * empty, execute only the allowlisted programs (with their interpreters and
   * loaders). `false` where Landlock or the native init is missing: a
   * command with an `allow` list is then refused unless `isolation` is
   * `'best-effort'`; one without runs, unconfined in writes (SECURITY.md).
   */
  landlock: boolean;
  /**
   * Whether the native init's seccomp filter was installed in the program
   * before its `execve` (it refuses ptrace, other processes' memory, new
   * user namespaces, mounts, keyrings, bpf and other system calls a sealed
   * program has no use for). Always `true` for a run the native init
   * started: where the filter cannot be installed the run is refused, even
   * under `'best-effort'`. `false` with the Node init or without an init.
   */
  seccomp: boolean;
}

/** How a sealed process ended. */
export interface SealedResult {
  /** The exit code, or `null` when the process was killed by a signal. */
  exitCode: number | null;
  /** The signal that killed the process, or `null` when it exited. */
  signal: NodeJS.Signals | null;
  /** Milliseconds from the spawn to the exit, sandbox start-up included. */
  durationMs: number;
  /** Whether the TTL ended the run. */
  timedOut: boolean;
  /** Whether `signal` or `kill()` ended the run. */
  canceled: boolean;
  /** Whether either stream went over `maxOutputBytes`. */
  truncated: boolean;
  /** Every byte written to stdout, kept or dropped. */
  stdoutBytes: number;
  /** Every byte written to stderr, kept or dropped. */
  stderrBytes: number;
  /** The `pid` of {@link SealedProcess}. */
  pid: number;
  /** Which isolation the run had. */
  isolation: SealedIsolation;
}

/**
 * A running sealed process. Lifecycle: `stdout` and `stderr` end when the
 * process tree is gone; `result` then resolves, or rejects with `REPORT_INVALID` when the init's report cannot be trusted; `kill()`
 * may be called at any time, more than once, and does nothing after the end.
 */
export interface SealedProcess {
  /** The child's stdout: the first `maxOutputBytes` bytes. Read it or not: the child never blocks on it. */
  stdout: Readable;
  /** The child's stderr, capped like `stdout`. */
  stderr: Readable;
  /**
   * The process id of the process group leader, in the caller's PID
   * namespace: the program itself, or the `unshare`/`sandbox-exec` wrapping it.
   */
  pid: number;
  /** How the process ended. */
  result: Promise<SealedResult>;
  /** Stops the whole tree as a cancel does: SIGTERM, `killGraceMs`, SIGKILL. */
  kill(): void;
}

/**
 * The process a run starts (its group leader), as the rest of this file sees
 * it: a `ChildProcess` spawned here, or a {@link SpawnerLeader} the sealed
 * spawner forked.
 */
interface RunLeader {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'spawn', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/** How a run is started: the file to spawn and whether the namespace init sits between it and the program. */
interface Launch {
  file: string;
  args: string[];
  /** Whether the program is spawned by the namespace init (which then reports its status on its report channel, descriptor 3). */
  viaInit: boolean;
  /** The init's own environment (the program's travels over the report channel). */
  initEnv?: Record<string, string>;
  /** Which init runs as PID 1: the small native one, or the Node one (the fallback). */
  init?: 'native' | 'node';
  /** What the launch isolates. */
  kind: SealedIsolation['kind'];
  /** `argv[0]` as the program sees it, when the launch can set it. */
  argv0?: string;
}

interface Normalized {
  argv: string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  ttlMs: number;
  killGraceMs: number;
  noNetwork: boolean;
  allow: readonly string[];
  /** The caller's `write`, or undefined for the default (the real path of `cwd`). */
  write: readonly string[] | undefined;
  path: string;
  maxOutputBytes: number;
  signal: AbortSignal | undefined;
  limits: SealedLimits;
  isolation: 'strict' | 'best-effort';
  verified: readonly VerifiedFile[];
  realProgram: string | undefined;
}

const maxTimerMs = 2_147_483_647;

function invalid(message: string): SandboxError {
  return new SandboxError('INVALID_OPTIONS', message);
}

function checkMs(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > maxTimerMs) {
    throw invalid(`${name} must be an integer number of milliseconds from ${min} to ${maxTimerMs}`);
  }
  return value;
}

function normalize(options: SpawnSealedOptions): Normalized {
  if (typeof options !== 'object' || options === null)
    throw invalid('spawnSealed needs an options object');
  const { argv } = options;
  if (!Array.isArray(argv) || argv.length === 0)
    throw invalid('argv must be a non-empty array of strings');
  argv.forEach((arg, index) => {
    if (typeof arg !== 'string') throw invalid(`argv[${index}] must be a string`);
    if (arg.includes('\0'))
      throw invalid(`argv[${index}] contains a NUL byte, which no program can receive`);
  });
  if (typeof options.cwd !== 'string' || !isAbsolute(options.cwd) || options.cwd.includes('\0')) {
    throw invalid('cwd must be an absolute path');
  }
  const maxOutputBytes = options.maxOutputBytes ?? 8 * 1024 * 1024;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw invalid('maxOutputBytes must be a non-negative integer');
  }
  const path = options.path ?? defaultSafePath();
  if (typeof path !== 'string')
    throw invalid('path must be a string of absolute directories separated by ":"');
  const allow = options.allow ?? [];
  if (!Array.isArray(allow))
    throw invalid('allow must be an array of absolute paths or program names');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalid('signal must be an AbortSignal');
  }
  if (options.noNetwork !== undefined && typeof options.noNetwork !== 'boolean') {
    // A truthy non-boolean must not silently run with the network on.
    throw invalid('noNetwork must be true or false');
  }
  const write = options.write;
  if (
    write !== undefined &&
    (!Array.isArray(write) ||
      write.some(
        (entry) => typeof entry !== 'string' || !isAbsolute(entry) || entry.includes('\0'),
      ))
  )
    throw invalid('write must be an array of absolute paths');
  const limits = options.limits ?? {};
  if (typeof limits !== 'object' || limits === null) throw invalid('limits must be an object');
  for (const key of ['memoryBytes', 'cpuSeconds', 'processes', 'fileSizeBytes'] as const) {
    const value = limits[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1))
      throw invalid(`limits.${key} must be a positive integer`);
  }
  if (
    options.isolation !== undefined &&
    options.isolation !== 'strict' &&
    options.isolation !== 'best-effort'
  )
    throw invalid("isolation must be 'strict' or 'best-effort'");
  const verified = options.verified ?? [];
  if (
    !Array.isArray(verified) ||
    verified.some(
      (file) =>
        typeof file !== 'object' ||
        file === null ||
        typeof file.path !== 'string' ||
        !isAbsolute(file.path) ||
        typeof file.sha256 !== 'string' ||
        !/^[0-9a-f]{64}$/.test(file.sha256),
    )
  )
    throw invalid(
      'verified must be an array of { path, sha256 } with absolute paths and hex SHA-256',
    );
  if (
    options.realProgram !== undefined &&
    (typeof options.realProgram !== 'string' ||
      !isAbsolute(options.realProgram) ||
      options.realProgram.includes('\0'))
  )
    throw invalid('realProgram must be an absolute path');
  return {
    realProgram: options.realProgram,
    verified: verified.map((file) => ({ path: file.path, sha256: file.sha256 })),
    isolation: options.isolation ?? 'strict',
    limits: { ...limits },
    argv: [...argv],
    env: options.env ?? {},
    cwd: options.cwd,
    ttlMs: checkMs('ttlMs', options.ttlMs, 1),
    killGraceMs: checkMs('killGraceMs', options.killGraceMs ?? 2000, 0),
    noNetwork: options.noNetwork === true,
    allow,
    write: write === undefined ? undefined : write.map((entry) => resolve(entry)),
    path,
    maxOutputBytes,
    signal: options.signal,
  };
}

/** Whether this process is a Node single executable application, whose `execPath` runs the init only when asked by argument. */
function runningAsSingleExecutable(): boolean {
  try {
    const sea = createRequire(import.meta.url)('node:sea') as { isSea?: () => boolean };
    return sea.isSea?.() === true;
  } catch {
    return false;
  }
}

/** Internal knobs, for tests of the launch without the namespace init. */
export interface LaunchOverrides {
  /** Run the namespace init as PID 1 (the default); `false` runs the program as PID 1. */
  useInit?: boolean;
  /**
   * Start the init as `execPath --ironrun-sandbox-init` (a single executable
   * application, whose entry runs `runNamespaceInit()`) rather than `execPath -e <source>`.
   * @default whether this process is a single executable application
   */
  selfInit?: boolean;
  /** Pretend the machine offers this isolation instead of probing it. */
  support?: IsolationSupport;
  /**
   * The native init to run as PID 1, or `null` for the Node init.
   * @default the installed `@ironrun/sandbox-linux-<arch>` (see {@link nativeInitPath}), unless `selfInit`
   */
  nativeInit?: string | null;
}

export function planLaunch(
  program: string,
  argv: readonly string[],
  noNetwork: boolean,
  support: IsolationSupport,
  overrides: LaunchOverrides,
  isolation: 'strict' | 'best-effort' = 'strict',
): Launch {
  const { report, userFlags } = support;
  const args = argv.slice(1);
  const argv0 = argv[0];
  if (report.platform === 'win32') {
    throw new SandboxError(
      'ISOLATION_UNAVAILABLE',
      'ironrun cannot seal a process on Windows: there is no process group to end the whole tree with; run it under WSL',
    );
  }
  if (report.platform === 'linux' && report.unshare !== null) {
    const unshare = report.unshare;
    const netFlags = noNetwork && report.noNetwork ? ['--net'] : [];
    if (noNetwork && !report.noNetwork) throw isolationUnavailable(report.notes);
    if (report.pidNamespace) {
      // Fresh IPC and UTS namespaces too: no SysV or POSIX IPC object is shared with the outside.
      const flags = [...userFlags, ...pidNamespaceFlags, ...netFlags, ...freshNamespaceFlags];
      if (overrides.useInit ?? true) {
        const native =
          overrides.nativeInit !== undefined
            ? overrides.nativeInit
            : overrides.selfInit === true
              ? null
              : nativeInitPath();
        if (native !== null) {
          // The native init makes the same namespaces itself (as unshare with
          // `flags` would), so no dynamically linked unshare loads per run.
          return {
            file: native,
            args: [
              '--namespaces',
              ...(userFlags.length > 0 ? ['--user'] : []),
              ...(netFlags.length > 0 ? ['--net'] : []),
            ],
            viaInit: true,
            initEnv: {},
            init: 'native',
            kind: 'namespaces',
          };
        }
        const init =
          (overrides.selfInit ?? runningAsSingleExecutable())
            ? {
                args: [process.execPath, namespaceInitArgument],
                env: { [namespaceInitEnvName]: '1' },
              }
            : { args: [process.execPath, '-e', namespaceInitSource], env: {} };
        return {
          file: unshare,
          args: [...flags, '--', ...init.args],
          viaInit: true,
          initEnv: init.env,
          init: 'node',
          kind: 'namespaces',
          ...(argv0 === undefined ? {} : { argv0 }),
        };
      }
      return {
        file: unshare,
        args: [...flags, '--', program, ...args],
        viaInit: false,
        kind: 'namespaces',
      };
    }
  }
  if (report.platform === 'linux' && isolation === 'strict' && !report.pidNamespace) {
    if (noNetwork && !report.noNetwork) throw isolationUnavailable(report.notes);
    throw pidNamespaceUnavailable(report.notes);
  }
  if (report.platform === 'linux' && report.unshare !== null && noNetwork) {
    return {
      file: report.unshare,
      args: [...userFlags, '--net', '--', program, ...args],
      viaInit: false,
      kind: 'network-namespace',
    };
  }
  if (noNetwork) {
    if (report.platform === 'darwin' && report.sandboxExec !== null) {
      return {
        file: report.sandboxExec,
        args: ['-p', denyNetworkProfile, '--', program, ...args],
        viaInit: false,
        kind: 'sandbox-exec',
      };
    }
    throw isolationUnavailable(report.notes);
  }
  return {
    file: program,
    args,
    viaInit: false,
    kind: 'process-group',
    ...(argv0 === undefined ? {} : { argv0 }),
  };
}

function pidNamespaceUnavailable(notes: readonly string[]): SandboxError {
  return new SandboxError(
    'ISOLATION_UNAVAILABLE',
    `no PID namespace can be made here, so the command was not run: its whole process tree could not be ended at its TTL (${notes.join('; ') || 'unshare failed'}). Fix: allow unprivileged user namespaces (run ironrun doctor for this machine), or set isolation: best-effort on the command to run it with a process group only`,
  );
}

function isolationUnavailable(notes: readonly string[]): SandboxError {
  return new SandboxError(
    'ISOLATION_UNAVAILABLE',
    `noNetwork was asked but no network isolation is available here, so the command was not run (${notes.join('; ') || process.platform}); run ironrun doctor, or remove no_network from the command`,
  );
}

function codeOf(error: unknown): string {
  return typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : 'UNKNOWN';
}

function spawnFailure(name: string, code: string, cause?: unknown): SandboxError {
  const options = cause === undefined ? {} : { cause };
  if (code === 'ENOENT')
    return new SandboxError(
      'NOT_FOUND',
      `program "${name}" disappeared before it could start`,
      options,
    );
  if (code === 'ENOLANDLOCK')
    return landlockUnavailable(
      'the kernel offers no Landlock: not built in, not enabled, or filtered out by the caller',
    );
  if (code === 'ELANDLOCKABI')
    return landlockUnavailable(
      "the kernel's Landlock ABI is below 3, which cannot confine truncation",
    );
  if (code === 'ENOSECCOMP')
    return new SandboxError(
      'ISOLATION_UNAVAILABLE',
      `program "${name}" was not started: the native init could not install its seccomp filter (the kernel lacks seccomp filters, or a seccomp filter of the caller refuses seccomp(2)), and it never runs a program without it. Fix: start ironrun outside that filter (ironrun doctor shows the isolation here)`,
      options,
    );
  if (code === 'ELOOP')
    return new SandboxError(
      'SPAWN_FAILED',
      `program "${name}" was not started: a symlink appeared in one of its write paths (or its own path) after the check (ELOOP), so the run was refused rather than allow writes where the link leads`,
      options,
    );
  if (code === 'EACCES' || code === 'ENOEXEC') {
    return new SandboxError(
      'NOT_EXECUTABLE',
      `program "${name}" could not be executed (${code}); make it executable or fix its #! line`,
      options,
    );
  }
  return new SandboxError(
    'SPAWN_FAILED',
    `program "${name}" could not be started (${code})`,
    options,
  );
}

/**
 * Spawns one sealed process: no shell, `argv[0]` resolved once to an
 * absolute real path (never through the caller's `PATH`), a clean
 * environment, stdin on `/dev/null`, its own process group (and, on Linux
 * where namespaces are available, its own PID namespace, so the TTL ends
 * every descendant), optionally no network, and capped output.
 *
 * Resolves once the program has started; rejects with a {@link SandboxError}
 * when it cannot start (`NOT_FOUND`, `NOT_EXECUTABLE`, `ISOLATION_UNAVAILABLE`,
 * `INVALID_OPTIONS`, `SPAWN_FAILED`).
 *
 * @example
 * const child = await spawnSealed({ argv: ['./deploy.sh', '--prod'], cwd: projectDir,
 *   env: { API_TOKEN: token }, ttlMs: 30_000, noNetwork: true });
 * child.stdout.pipe(process.stdout);
 * const { exitCode, signal, timedOut } = await child.result;
 */
export function spawnSealed(options: SpawnSealedOptions): Promise<SealedProcess> {
  return spawnSealedWith(options, {});
}

/** {@link spawnSealed} with internal launch overrides (not part of the public API). */
export async function spawnSealedWith(
  options: SpawnSealedOptions,
  overrides: LaunchOverrides,
  spawner?: () => SpawnerProcess | undefined,
): Promise<SealedProcess> {
  const o = normalize(options);
  const env = buildSealedEnv(o.env, o.path);
  if (o.signal?.aborted) {
    throw new SandboxError('SPAWN_FAILED', 'the run was canceled before it started', {
      cause: o.signal.reason,
    });
  }
  // The file system calls before the spawn are synchronous: each is a few
  // microseconds on a local disk, where a round trip through libuv's thread
  // pool costs 0.1-0.3 ms of a run that should take a few (see bench/).
  const info = statOrUndefined(o.cwd);
  if (info === undefined || !info.isDirectory())
    throw invalid(`cwd ${o.cwd} is not an existing directory`);
  const name = o.argv[0]!;
  const program = await resolveProgram(name, o.cwd, o.path);
  if (o.realProgram !== undefined && program !== o.realProgram)
    throw new SandboxError(
      'CONTENT_CHANGED',
      `${JSON.stringify(name)} now leads to ${JSON.stringify(program)}, not to the program that was trusted (${JSON.stringify(o.realProgram)}), so nothing was run. Review the change; a person runs \`ironrun trust\` again if it is wanted`,
    );
  const allowed = await resolveAllowlist(o.allow, o.path);
  // Checked for every launch; only the native init runs the checked bytes themselves. Read
  // once: a launch planned again below runs the same checked bytes.
  const copies = await verifiedCopies(o.argv, o.cwd, program, o.verified);
  const attempt = (support: IsolationSupport) =>
    launchPlanned(program, allowed, copies, { ...env }, o, support, overrides, spawner);
  const known = overrides.support ?? probedSupport();
  if (known !== undefined) return attempt(await known);
  // No probe has run in this process. Where the native init is installed it is launched at
  // once, as the probe's common case would plan it: it makes the namespaces itself and, when
  // it cannot, exits 125 before it reads its configuration (nothing has run). Only then is
  // the probe run (one spawn of `unshare` and a few reads a one-shot `ironrun run` otherwise
  // pays every time) and the launch planned again on what it found, which refuses under
  // `strict` exactly as a probe first would have.
  const native = plannedNativeInit(overrides);
  const assumed = native === null ? undefined : assumedSupport(native);
  if (assumed === undefined) return attempt(await isolationSupport());
  try {
    return await attempt(assumed);
  } catch (error) {
    if (!namespaceSetupFailures.has(error as object)) throw error;
    const probed = await isolationSupport();
    // The probe finds what was assumed: the failure was not the namespaces, and is reported as it is.
    if (probed.report.pidNamespace && probed.userFlags.length > 0 && probed.report.noNetwork)
      throw error;
    return attempt(probed);
  }
}

/** The native init {@link planLaunch} would choose with these overrides (before any probe), or `null`. */
function plannedNativeInit(overrides: LaunchOverrides): string | null {
  if (overrides.useInit === false) return null;
  if (overrides.nativeInit !== undefined) return overrides.nativeInit;
  return overrides.selfInit === true ? null : nativeInitPath();
}

/**
 * Errors of a launch through the native init that ended before the init said anything on its
 * channel, with status 125: it could not make the namespaces (or mount their `/proc`), and the
 * program never started. Only these make {@link spawnSealedWith} probe and plan again.
 */
const namespaceSetupFailures = new WeakSet<object>();

/** Plans the launch on `support`, its confinement and private temporary directory, and starts it. */
async function launchPlanned(
  program: string,
  allowed: ReadonlySet<string>,
  copies: VerifiedCopy[],
  env: Record<string, string>,
  o: Normalized,
  support: IsolationSupport,
  overrides: LaunchOverrides,
  spawner: (() => SpawnerProcess | undefined) | undefined,
): Promise<SealedProcess> {
  const launch = planLaunch(program, o.argv, o.noNetwork, support, overrides, o.isolation);
  const confinement = await planConfinement(launch, program, allowed, o, support);
  confinement.verified = launch.init === 'native' ? copies : [];
  if (o.signal?.aborted) {
    throw new SandboxError('SPAWN_FAILED', 'the run was canceled before it started', {
      cause: o.signal.reason,
    });
  }
  if (confinement.landlock !== 'off') {
    // A private temporary directory, the one place outside `write` the program may write to:
    // the native init mounts an empty tmpfs of the run's own on this folder. Never from the
    // caller's TMPDIR, which the agent controls.
    confinement.tmpdir = tmpdirMountPoint();
    confinement.write.push(confinement.tmpdir);
    if (o.env.TMPDIR === undefined) env.TMPDIR = confinement.tmpdir;
  }
  return start(launch, program, env, o, confinement, spawner);
}

let mountPoint: string | undefined;

/**
 * The folder every run's private `TMPDIR` is mounted on: one 0700 folder
 * under `/tmp` for this process, made on first use (again if it was
 * removed) and removed at exit. It stays empty: each run's native init
 * mounts an empty tmpfs on it in the run's own mount namespace, gone with the
 * run, so no run sees another's files and nothing is made or removed on the
 * disk per run (a `mkdir` and `rmdir` in `/tmp` cost 0.2-3 ms of a run on a
 * loaded ext4, bench/spawn-overhead.mjs).
 */
function tmpdirMountPoint(): string {
  if (mountPoint !== undefined && statOrUndefined(mountPoint)?.isDirectory()) return mountPoint;
  const made = realpathSync.native(mkdtempSync(join('/tmp', 'ironrun-tmp-')));
  if (mountPoint === undefined)
    process.once('exit', () => {
      try {
        if (mountPoint !== undefined) rmdirSync(mountPoint);
      } catch {
        // not empty (written to from outside) or already gone: left as it is
      }
    });
  mountPoint = made;
  return made;
}

/** What Landlock confines a run to, and its private temporary directory. */
interface Confinement {
  landlock: 'off' | 'required' | 'best-effort';
  /** Real paths the program may execute. */
  exec: string[];
  /** Paths beneath which it may write. */
  write: string[];
  /** The folder the native init mounts the program's private TMPDIR (an empty tmpfs) on. */
  tmpdir?: string;
  /** The verified copies the native init runs instead of the paths. */
  verified?: VerifiedCopy[];
}

function landlockUnavailable(why: string): SandboxError {
  return new SandboxError(
    'ISOLATION_UNAVAILABLE',
    `Landlock cannot confine this command here (${why}), so it was not run: its program could execute programs outside allow: and write outside the project and its write: paths. Fix: run on Linux 6.2 or later with Landlock enabled (lsm=landlock,... on the kernel command line; run ironrun doctor), or set isolation: best-effort on the command to run it without that confinement`,
  );
}

/**
 * Which Landlock confinement the launch gets: only the native init applies
 * Landlock, so under `strict` a launch through the Node init is refused; the
 * init itself refuses when the kernel lacks Landlock or its ABI is below 3.
 */
async function planConfinement(
  launch: Launch,
  program: string,
  allowed: ReadonlySet<string>,
  o: Normalized,
  support: IsolationSupport,
): Promise<Confinement> {
  const off: Confinement = { landlock: 'off', exec: [], write: [] };
  if (support.report.platform !== 'linux') return off;
  if (launch.init !== 'native') {
    if (o.isolation === 'best-effort' || o.allow.length === 0) return off;
    throw landlockUnavailable(
      launch.init === 'node'
        ? 'the native init is not installed, and the Node init cannot apply Landlock'
        : 'no namespace init runs to apply it',
    );
  }
  // Real paths: the init follows no symlink when it opens them, so a path
  // swapped for a symlink since fails the run instead of widening a rule.
  // The caller's write entries are used as given, never resolved: one with
  // a symlink in it is refused, since resolving it would allow writes
  // wherever the link leads now (an agent can place links in the project).
  const write: string[] = [];
  for (const entry of o.write ?? []) {
    const real = realpathOrUndefined(entry);
    if (real !== undefined && real !== entry)
      throw invalid(
        `write entry ${entry} has a symlink in its path (it leads to ${real}); name the real folder`,
      );
    write.push(entry);
  }
  for (const entry of o.write === undefined ? [o.cwd, ...writableDevices] : writableDevices) {
    const real = realpathOrUndefined(entry);
    if (real !== undefined) write.push(real);
  }
  // Exec is confined only for a command that declares an allow: list; such a
  // command has asked for the confinement, so where it cannot be had it is
  // refused (strict). Writes are confined wherever Landlock is available.
  const confineExec = o.allow.length > 0;
  return {
    landlock: o.isolation === 'strict' && confineExec ? 'required' : 'best-effort',
    exec: confineExec ? await executablesOf([program, ...allowed], parseSafePath(o.path)) : [],
    write,
  };
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds on a monotonic clock. `process.hrtime` rather than `performance.now()`: the
 * first use of `performance` loads Node's perf_hooks modules, about 2 ms of a one-shot
 * `ironrun run` (bench/run-overhead.bench.mjs in @ironrun/cli).
 */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** How a process ended, as the kernel or the init's report tells it. */
interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The lifetime of one spawned process tree: the TTL and the cancel signal,
 * stopping the whole group (SIGTERM, grace, SIGKILL), the end of the leader,
 * and draining its streams into the {@link SealedResult}. It knows nothing of
 * how the program is started (see {@link awaitStartup}).
 */
class ProcessTree {
  timedOut = false;
  canceled = false;
  /** Resolves with the leader's status, as the kernel reports it, when the leader is gone. */
  readonly exited: Promise<ExitStatus>;
  private stopping = false;
  private gone = false;
  private durationMs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onAbort = () => this.stop('cancel');

  constructor(
    readonly child: RunLeader,
    private readonly o: Normalized,
    startedAt: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.gone = true;
        this.durationMs = Math.round(monotonicMs() - startedAt);
        // Whatever is left of the group (descendants that did not leave it) dies with the leader.
        this.signalGroup('SIGKILL');
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        resolve({ code, signal });
      });
    });
    // The TTL and the signal hold from the spawn on, so a sandbox that never starts cannot hang the caller.
    this.later(o.ttlMs, () => this.stop('timeout'));
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (o.signal?.aborted) this.onAbort();
  }

  /** Signals every process of the group; nothing when it is gone. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  /** Ends the tree: SIGTERM, then SIGKILL after the grace period. */
  stop(reason: 'timeout' | 'cancel'): void {
    if (this.gone) return;
    if (reason === 'timeout') this.timedOut ||= !this.canceled;
    else this.canceled ||= !this.timedOut;
    if (this.stopping) return;
    this.stopping = true;
    this.signalGroup('SIGTERM');
    this.later(this.o.killGraceMs, () => this.signalGroup('SIGKILL'));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  /**
   * Waits for the end and for the streams to drain, then builds the result
   * from `status(kernelStatus)`, which may throw to fail the run.
   */
  async finish(
    stdout: CappedOutput,
    stderr: CappedOutput,
    channel: Readable | null,
    isolation: SealedIsolation,
    status: (kernel: ExitStatus) => ExitStatus,
  ): Promise<SealedResult> {
    const kernel = await this.exited;
    const { child, o } = this;
    const closed = (stream: Readable | null) =>
      new Promise<void>((resolve) => {
        if (stream === null || stream.closed) resolve();
        else stream.once('close', () => resolve());
      });
    // Streams close when every holder of the pipes is gone; a descendant that
    // escaped the group (possible only without a PID namespace) cannot hold the result hostage.
    const drained = Promise.all([closed(child.stdout), closed(child.stderr), closed(channel)]);
    let drainTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      drainTimer = setTimeout(resolve, Math.max(o.killGraceMs, 1000));
    });
    await Promise.race([drained, deadline]);
    clearTimeout(drainTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    channel?.destroy();
    stdout.end();
    stderr.end();
    o.signal?.removeEventListener('abort', this.onAbort);
    const { code, signal } = status(kernel);
    return {
      exitCode: code,
      signal,
      durationMs: this.durationMs,
      timedOut: this.timedOut,
      canceled: this.canceled,
      truncated: stdout.truncated || stderr.truncated,
      stdoutBytes: stdout.totalBytes,
      stderrBytes: stderr.totalBytes,
      pid: child.pid ?? 0,
      isolation,
    };
  }
}

function spawnerLost(name: string): SandboxError {
  return new SandboxError(
    'SPAWN_FAILED',
    `the sealed spawner that started program "${name}" ended during the run, so its process tree was killed and how it ended is unknown; the run is failed`,
  );
}

function untrustedReport(name: string, why: string): SandboxError {
  return new SandboxError(
    'REPORT_INVALID',
    `the report of how program "${name}" ended cannot be trusted (${why}), so the run is failed and nothing of it is shown: something inside the sandbox wrote to the init's report channel`,
  );
}

/**
 * The exit status of a run through the namespace init: the init's report,
 * validated by `reader`, and checked against the status the kernel gave the
 * init's wrapper (`unshare` exits with the init's own status, which is the
 * program's code or 128 + its signal number). Throws `REPORT_INVALID` when
 * the two disagree or the channel carried anything but reports.
 */
function checkedInitStatus(name: string, reader: InitReportReader, kernel: ExitStatus): ExitStatus {
  if (reader.untrusted !== undefined) throw untrustedReport(name, reader.untrusted);
  const reported = reader.exit;
  if (reported === undefined) return kernel;
  if (kernel.code !== null && initExitCode(reported) !== kernel.code)
    throw untrustedReport(name, 'the report disagrees with the exit status the kernel gave');
  return { code: reported.code, signal: reported.signal };
}

/**
 * The start-up handshake: resolves once the program runs (at once without
 * the init; on the init's `started` report with it), rejects when it could
 * not start. With the init, sends it the program's configuration over the
 * report channel and feeds what comes back to `reader`.
 */
/**
 * Resolves once the report channel has delivered everything (its end or
 * close), or after a short grace: a process that took the channel may hold it
 * open, and start-up must not wait on it.
 */
function channelDrained(channel: Duplex): Promise<void> {
  if (channel.readableEnded || channel.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 250);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    channel.once('end', done);
    channel.once('close', done);
  });
}

function awaitStartup(
  tree: ProcessTree,
  launch: Launch,
  program: string,
  env: Record<string, string>,
  o: Normalized,
  reader: InitReportReader,
  channel: Duplex | null,
  earlyStderr: () => string,
  confinement: Confinement,
  isolation: SealedIsolation,
): Promise<void> {
  const { child } = tree;
  const name = o.argv[0]!;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: SandboxError) => {
      if (settled) return;
      settled = true;
      tree.signalGroup('SIGKILL');
      reject(error);
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
      resolve();
    };
    child.on('error', (error) =>
      fail(
        spawnFailure(
          launch.viaInit || launch.file !== program ? launch.file : name,
          codeOf(error),
          error,
        ),
      ),
    );
    if (!launch.viaInit || channel === null) {
      child.once('spawn', succeed);
      return;
    }
    reader.onReport = (report) => {
      if (report.type === 'started') {
        // ABI 3 is the lowest that confines every write (truncate came with it).
        isolation.landlock = confinement.landlock !== 'off' && report.landlock >= 3;
        // The native init reports `started` only once the program's execve
        // succeeded, and it installs its filter just before (or fails the start).
        isolation.seccomp = launch.init === 'native';
        succeed();
      } else if (report.type === 'error') fail(spawnFailure(name, report.code));
    };
    child.once('spawn', () => {
      // The program's environment travels over the channel, never through argv.
      if (launch.init === 'native') {
        channel.write(
          encodeNativeInitConfig({
            file: program,
            argv: [name, ...o.argv.slice(1)],
            env,
            cwd: o.cwd,
            uid: programUid(),
            loopback: o.noNetwork,
            limits: o.limits,
            landlock: confinement.landlock,
            exec: confinement.exec,
            write: confinement.write,
            tmpdir: confinement.tmpdir ?? '',
            verified: confinement.verified ?? [],
          }),
        );
        return;
      }
      const config = {
        file: program,
        args: o.argv.slice(1),
        argv0: name,
        cwd: o.cwd,
        env,
        loopback: o.noNetwork,
      };
      channel.write(`${JSON.stringify(config)}\n`);
    });
    // What the channel still holds when the tree exits is read before the exit is judged:
    // a line forged there during start-up makes the run untrusted, not "no namespaces".
    void tree.exited
      .then((kernel) => channelDrained(channel).then(() => kernel))
      .then((kernel) => {
        if (settled) return;
        if (reader.untrusted !== undefined) {
          fail(untrustedReport(name, reader.untrusted));
          return;
        }
        if (tree.timedOut || tree.canceled) {
          fail(
            new SandboxError(
              'SPAWN_FAILED',
              `program "${name}" was ${tree.timedOut ? 'still not started when its TTL ended' : 'canceled before it started'}`,
            ),
          );
          return;
        }
        const said = earlyStderr().split('\n')[0] ?? '';
        const detail = /^(unshare|node|ironrun-init):/.test(said) ? `: ${said.slice(0, 300)}` : '';
        const error = new SandboxError(
          'ISOLATION_UNAVAILABLE',
          `the isolated namespaces for program "${name}" could not be set up${detail}; run ironrun doctor`,
        );
        if (launch.init === 'native' && kernel.code === 125 && reader.silent)
          namespaceSetupFailures.add(error);
        fail(error);
      });
  });
}

async function start(
  launch: Launch,
  program: string,
  env: Record<string, string>,
  o: Normalized,
  confinement: Confinement,
  spawner: (() => SpawnerProcess | undefined) | undefined,
): Promise<SealedProcess> {
  const name = o.argv[0]!;
  const startedAt = monotonicMs();
  const stdout = new CappedOutput(o.maxOutputBytes);
  const stderr = new CappedOutput(o.maxOutputBytes);
  // The sealed spawner starts the native init's launches only, each exactly
  // as `ironrun-init --namespaces` spawned here would be; where it is not
  // running (never started, ended), the launch is spawned here as always.
  const forked =
    launch.init === 'native'
      ? await spawner?.()?.launch(
          { user: launch.args.includes('--user'), net: launch.args.includes('--net') },
          o.ttlMs,
          name,
        )
      : undefined;
  let child: RunLeader;
  let channel: Duplex | null;
  if (forked !== undefined) {
    child = forked;
    channel = forked.channel;
  } else {
    let spawned: ChildProcess;
    try {
      spawned = spawn(launch.file, launch.args, {
        cwd: o.cwd,
        // The init gets nothing but its marker: the program's environment travels over the channel.
        env: launch.viaInit ? (launch.initEnv ?? {}) : env,
        // With the init, descriptor 3 is its report channel (a socket pair; the init keeps it close-on-exec).
        stdio: launch.viaInit ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
        detached: true,
        shell: false,
        windowsHide: true,
        ...(launch.argv0 === undefined || launch.viaInit ? {} : { argv0: launch.argv0 }),
      });
    } catch (error) {
      throw spawnFailure(name, codeOf(error), error);
    }
    child = spawned;
    channel = launch.viaInit ? ((spawned.stdio[3] as Duplex | null) ?? null) : null;
  }
  const tree = new ProcessTree(child, o, startedAt);
  let started = false;
  let early = '';
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => {
    if (!started && early.length < 2048) early += chunk.toString('utf8', 0, 2048);
    stderr.push(chunk);
  });

  const reader = new InitReportReader();
  if (channel !== null) {
    channel.on('data', (chunk: Buffer) => reader.push(chunk));
    channel.on('end', () => reader.end());
    channel.on('error', () => {});
  }
  const isolation: SealedIsolation = {
    kind: launch.kind,
    init: launch.init ?? null,
    bestEffort: o.isolation === 'best-effort',
    landlock: false,
    seccomp: false,
  };
  const result = tree.finish(stdout, stderr, channel, isolation, (kernel) => {
    if (forked?.lost === true) throw spawnerLost(name);
    return launch.viaInit ? checkedInitStatus(name, reader, kernel) : kernel;
  });
  // A run that fails to start is never awaited by the caller: its result must not go unhandled.
  result.catch(() => {});
  await awaitStartup(
    tree,
    launch,
    program,
    env,
    o,
    reader,
    channel,
    () => early,
    confinement,
    isolation,
  );
  started = true;
  return {
    stdout: stdout.readable,
    stderr: stderr.readable,
    pid: child.pid!,
    result,
    kill: () => tree.stop('cancel'),
  };
}
