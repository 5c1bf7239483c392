/**
 * Layer ablation: `IRONRUN_ABLATE=<layer>` makes the attack harness replace
 * one layer of the pipeline with a pass-through, without touching product
 * code (the replacements are applied with `vi.mock` in
 * `test/ablation-setup.ts` and by the harness itself). `ablate.mjs` runs the
 * suite once per layer and reports which attacks then succeed: evidence that
 * each layer is load-bearing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { SealedProcess, SealedResult, SpawnSealedOptions } from '@ironrun/sandbox';

/** The layers that can be switched off, one at a time. */
export const ablations = [
  'redactor',
  'variants',
  'sandbox-env',
  'allowlist',
  'ttl',
  'process-tree',
  'no-network',
  'trust',
  'policy-args',
  'fail-closed',
] as const;

/** One layer of {@link ablations}. */
export type Ablation = (typeof ablations)[number];

/** What each ablation replaces, for the report. */
export const ablationDescriptions: Record<Ablation, string> = {
  redactor: 'createRedactor returns an identity redactor (output passes through unchanged)',
  variants: 'createRedactor matches raw values only (no base64/hex/url/json/line variants)',
  'sandbox-env':
    "the child gets the caller's whole environment (LD_PRELOAD, NODE_OPTIONS, BASH_ENV, tokens)",
  allowlist: "a bare argv[0] is looked up on the caller's PATH",
  ttl: 'the TTL is 10 minutes (the harness cancels runs after its own deadline)',
  'process-tree':
    'a plain child_process.spawn: no process group or PID namespace, the TTL kills only the child',
  'no-network': 'no_network is ignored',
  trust: 'runSealed is called with skipTrust: true',
  'policy-args': 'validateArgs accepts every extra argument',
  'fail-closed':
    'provider failures, timeouts, missing and empty values become a placeholder value and the command runs',
};

/** The layer switched off for this run, from `IRONRUN_ABLATE`, or `undefined`. */
export function currentAblation(env: NodeJS.ProcessEnv = process.env): Ablation | undefined {
  const value = env.IRONRUN_ABLATE;
  if (value === undefined || value === '') return undefined;
  if (!(ablations as readonly string[]).includes(value)) {
    throw new Error(`IRONRUN_ABLATE=${value} is not one of ${ablations.join(', ')}`);
  }
  return value as Ablation;
}

const defaultPath = '/usr/local/bin:/usr/bin:/bin';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds a program as the sandbox would (relative to cwd, or on `path`), or on another PATH when told to. */
export function locateProgram(name: string, cwd: string, path: string): string {
  if (name.includes('/')) return resolve(cwd, name);
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return name;
}

type SpawnSealed = (options: SpawnSealedOptions) => Promise<SealedProcess>;

/** A spawn with none of the sandbox's process-tree handling: the TTL signals the child alone. */
function spawnWithoutTree(options: SpawnSealedOptions): Promise<SealedProcess> {
  const path = options.path ?? defaultPath;
  const program = locateProgram(options.argv[0] as string, options.cwd, path);
  const args = options.argv.slice(1);
  const env = {
    PATH: path,
    HOME: homedir(),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: '/tmp',
    ...options.env,
  };
  const [file, fileArgs] = options.noNetwork
    ? ['/usr/bin/unshare', ['-r', '-n', '--', program, ...args]]
    : [program, args];
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(file, fileArgs, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return Promise.reject(error);
  }
  let timedOut = false;
  let canceled = false;
  const stop = () => {
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 2000).unref();
  };
  const ttl = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.ttlMs);
  const onAbort = () => {
    canceled = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let stdoutBytes = 0;
  let stderrBytes = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrBytes += chunk.length;
  });
  const result = new Promise<SealedResult>((done) => {
    child.once('exit', (code, signal) => {
      clearTimeout(ttl);
      const durationMs = Math.round(performance.now() - started);
      // Without the tree handling, a descendant holding the pipes keeps them open; give up after a while.
      const finish = () => {
        options.signal?.removeEventListener('abort', onAbort);
        child.stdout?.destroy();
        child.stderr?.destroy();
        done({
          exitCode: code,
          signal,
          durationMs,
          timedOut,
          canceled,
          truncated: false,
          isolation: {
            kind: 'process-group',
            init: null,
            bestEffort: true,
            landlock: false,
            seccomp: false,
          },
          stdoutBytes,
          stderrBytes,
          pid: child.pid ?? 0,
        });
      };
      setTimeout(finish, 1500);
    });
  });
  return new Promise((ready, fail) => {
    child.once('error', fail);
    child.once('spawn', () =>
      ready({
        stdout: child.stdout as SealedProcess['stdout'],
        stderr: child.stderr as SealedProcess['stderr'],
        pid: child.pid ?? 0,
        result,
        kill: onAbort,
      }),
    );
  });
}

/** `spawnSealed` with the sandbox part of `ablation` switched off (itself when the ablation is elsewhere). */
export function ablatedSpawnSealed(
  actual: SpawnSealed,
  ablation: Ablation | undefined,
): SpawnSealed {
  switch (ablation) {
    case 'sandbox-env':
      return (options) => {
        const program = locateProgram(
          options.argv[0] as string,
          options.cwd,
          options.path ?? defaultPath,
        );
        const inherited = Object.entries(process.env).flatMap(([name, value]) =>
          value === undefined ? [] : [`${name}=${value}`],
        );
        return actual({
          ...options,
          argv: ['/usr/bin/env', ...inherited, program, ...options.argv.slice(1)],
        });
      };
    case 'allowlist':
      return (options) => {
        const callerPath = process.env.PATH ?? defaultPath;
        const program = locateProgram(options.argv[0] as string, options.cwd, callerPath);
        return actual({ ...options, argv: [program, ...options.argv.slice(1)] });
      };
    case 'ttl':
      return (options) => actual({ ...options, ttlMs: 600_000 });
    case 'process-tree':
      return spawnWithoutTree;
    case 'no-network':
      return (options) => actual({ ...options, noNetwork: false });
    default:
      return actual;
  }
}
