import { realpathSync } from 'node:fs';
import {
  defaultConfigDir,
  type Policy,
  type PolicyCommand,
  type VerifiedPin,
  validateArgs,
  writeFolderProblem,
} from '@ironrun/policy';
import { createRedactor, isRedactorError, type Redactor } from '@ironrun/redactor';
import {
  isSandboxError,
  type SealedIsolation,
  type SealedProcess,
  type SealedSpawner,
  spawnSealed,
} from '@ironrun/sandbox';
import { assertSameBytes, assertTrustedPins } from './assert-trusted.js';
import { IronrunError } from './ironrun-error.js';
import { loadTrustedPolicyPins } from './load-trusted-policy.js';
import { OutputWindow } from './output-window.js';
import { readPolicyWithProviderSchemes } from './read-policy-with-provider-schemes.js';
import { type ResolvedSecret, resolveCommandSecrets } from './resolve-command-secrets.js';

/** What a person is asked to approve for a `confirm: true` command. */
export interface ConfirmRequest {
  /** The command's id. */
  commandId: string;
  /** The command's description, if the policy has one. */
  description: string | undefined;
  /** The full argv that will run, extra arguments included. */
  argv: string[];
  /** The secret references the command receives (references, never values). */
  refs: string[];
}

/** Options of {@link runSealed}. */
export interface RunSealedOptions {
  /**
   * The policy, or the path of its file. A path is read again (and its
   * trust checked again) on every call, so an edit takes effect at once
   * (a long-lived caller reuses the parse of bytes it has seen and the
   * hashes of pinned files whose identity and times did not change);
   * it is read once per call, its trust checked on those bytes, and only
   * then is a third-party provider it names looked up (its package.json)
   * to learn the reference schemes it declares. Pass a path whenever the
   * file is one an agent can edit.
   */
  policy: Policy | string;
  /** The id of the command to run. */
  commandId: string;
  /**
   * Extra arguments appended to the command's argv; refused unless the
   * command declares `args`.
   * @default []
   */
  args?: readonly string[] | undefined;
  /**
   * Loaders of built-in providers by name, passed to `loadProvider` (for
   * example `{ envfile: () => import('@ironrun/providers-envfile') }`).
   * @default {}
   */
  providers?: Record<string, () => Promise<unknown>> | undefined;
  /**
   * Where the provider reads its own credentials (a vault token). Never
   * passed to the command.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Where trust records live.
   * @default defaultConfigDir() from `@ironrun/policy`
   */
  configDir?: string | undefined;
  /**
   * Skip the trust check. Only for a caller that vouches for the policy
   * itself (a policy built in code); never set it for a policy an agent
   * can edit.
   * @default false
   */
  skipTrust?: boolean | undefined;
  /**
   * Asks a person to approve a command marked `confirm: true`. Without it,
   * or when it resolves to anything but `true`, such a command does not run.
   */
  confirm?: ((request: ConfirmRequest) => Promise<boolean>) | undefined;
  /**
   * Called once with the resolved secret values after they are resolved and
   * before the command starts, for a host that must register them elsewhere
   * too (the GitHub Action masks them in the runner's log with `setSecret`).
   * The values must not be logged or kept. If it throws or rejects, the
   * command does not start (`SECRETS_HOOK`).
   */
  onSecretsResolved?: ((values: readonly string[]) => void | Promise<void>) | undefined;
  /** Receives each redacted chunk of stdout as it arrives. */
  onStdout?: ((chunk: Uint8Array) => void) | undefined;
  /** Receives each redacted chunk of stderr as it arrives. */
  onStderr?: ((chunk: Uint8Array) => void) | undefined;
  /** Cancels the run: before the start, nothing runs; after, the process tree is killed. */
  signal?: AbortSignal | undefined;
  /**
   * How long the provider may take to load and resolve the secrets.
   * @default 30_000
   */
  resolveTimeoutMs?: number | undefined;
  /**
   * Starts the sealed child: a long-lived caller (the MCP server, the
   * agent's broker) passes one `createSealedSpawner()` from
   * `@ironrun/sandbox` for all its runs, so a run does not fork the whole
   * caller. Same options, guarantees and result as `spawnSealed`.
   * @default spawnSealed
   */
  spawner?: Pick<SealedSpawner, 'spawn'> | undefined;
  /**
   * Bytes of each stream kept in the result (head and tail).
   * @default the command's `max_output` from the policy (16 KiB unless set)
   */
  maxOutputBytes?: number | undefined;
}

/** The outcome of a command that ran. Every string in it is redacted. */
export interface RunResult {
  /** The exit code, or `null` when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, if any. */
  signal: string | null;
  /** Wall time from spawn to exit, in milliseconds. */
  durationMs: number;
  /** Redacted stdout, cut in the middle beyond `maxOutputBytes`. */
  stdout: string;
  /** Redacted stderr, cut in the middle beyond `maxOutputBytes`. */
  stderr: string;
  /** Whether the command's TTL killed it. */
  timedOut: boolean;
  /** Whether the caller's signal killed it. */
  canceled: boolean;
  /** Whether any output was left out of `stdout` or `stderr`. */
  truncated: boolean;
  /** How many secret occurrences were replaced, over both streams. */
  redactions: number;
  /** Bytes of redacted output the command wrote, before any cut. */
  stdoutBytes: number;
  stderrBytes: number;
  /** Which isolation the run had (namespaces or a process group, which init). */
  isolation?: SealedIsolation;
}

const defaultResolveTimeoutMs = 30_000;
// The sandbox's own cap applies to raw bytes; cutting there could leave the
// start of a secret at the end of what the redactor sees. The cut happens
// here instead, after redaction, in bounded memory.
const sandboxOutputLimit = Number.MAX_SAFE_INTEGER;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function findCommand(policy: Policy, commandId: string): PolicyCommand {
  const command = policy.commands.find((candidate) => candidate.id === commandId);
  if (command !== undefined) return command;
  const ids = policy.commands.map((candidate) => candidate.id);
  throw new IronrunError(
    'UNKNOWN_COMMAND',
    `ironrun: no command '${commandId}' in ${policy.path || 'the policy'}. ` +
      (ids.length === 0 ? 'The policy declares no commands.' : `Valid ids: ${ids.join(', ')}`),
    { commandId },
  );
}

function checkArgs(command: PolicyCommand, args: readonly string[]): string[] {
  try {
    return validateArgs(command, args);
  } catch (error) {
    throw new IronrunError('ARGS_REJECTED', describe(error), {
      commandId: command.id,
      cause: error,
    });
  }
}

function buildRedactor(
  commandId: string,
  secrets: readonly ResolvedSecret[],
): Redactor | undefined {
  if (secrets.length === 0) return undefined;
  try {
    return createRedactor({ secrets: secrets.map((secret) => secret.value) });
  } catch (error) {
    if (!isRedactorError(error)) throw error;
    const secret = error.index === undefined ? undefined : secrets[error.index];
    const which = secret === undefined ? 'a secret' : `${secret.name} (${secret.ref})`;
    const refs = secret === undefined ? [] : [secret.ref];
    if (error.code === 'SECRET_TOO_SHORT') {
      throw new IronrunError(
        'SECRET_TOO_SHORT',
        `ironrun: ${commandId} did not run: the value of ${which} is too short to redact safely ` +
          '(it would hide every matching piece of output, and a short value is easy to guess). Use a longer secret.',
        { commandId, refs, cause: error },
      );
    }
    throw new IronrunError(
      'REDACTOR',
      `ironrun: ${commandId} did not run: the value of ${which} cannot be redacted (${error.code}): ${error.message}`,
      { commandId, refs, cause: error },
    );
  }
}

/** Pushes one output stream through its redactor session, live and into a bounded window. */
function pipeRedacted(
  readable: SealedProcess['stdout'],
  redactor: Redactor | undefined,
  window: OutputWindow,
  onChunk: ((chunk: Uint8Array) => void) | undefined,
  onCallbackError: (error: unknown) => void,
): Promise<void> {
  const session = redactor?.createStream();
  const emit = (chunk: Uint8Array) => {
    if (chunk.length === 0) return;
    window.push(chunk);
    if (onChunk === undefined) return;
    try {
      onChunk(chunk);
    } catch (error) {
      onCallbackError(error);
    }
  };
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (session !== undefined) emit(session.end());
      resolve();
    };
    readable.on('data', (chunk: Uint8Array) => {
      if (!done) emit(session === undefined ? chunk : session.push(chunk));
    });
    readable.once('end', finish);
    readable.once('close', finish);
    readable.once('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

/** The command a run executes, as the policy and the caller's arguments decide it. */
interface PickedCommand {
  command: PolicyCommand;
  /** The full argv: the policy's, then the accepted extra arguments. */
  argv: string[];
  /** The distinct secret references the command receives. */
  refs: string[];
}

/** The output of a run, redacted, as the result reports it. */
interface RedactedOutput {
  outcome: Awaited<SealedProcess['result']>;
  stdout: { text: string; cutBytes: number; totalBytes: number };
  stderr: { text: string; cutBytes: number; totalBytes: number };
}

function canceledBeforeStart(commandId: string, signal: AbortSignal | undefined): IronrunError {
  return new IronrunError(
    'CANCELED',
    `ironrun: the run of ${commandId} was canceled before it started`,
    { commandId, cause: signal?.reason },
  );
}

/**
 * Stage 1: the policy, trusted. A path is read once and its trust checked on
 * those bytes before anything in it is acted on ({@link loadTrustedPolicy});
 * a policy given as a value is checked against the file it came from. Also
 * returns the pins whose content the check verified by hash: the sandbox
 * runs the program and a shell's script from a copy of exactly those bytes.
 */
async function loadPolicyForRun(
  options: RunSealedOptions,
  configDir: string,
): Promise<{ policy: Policy; verified: VerifiedPin[]; programs: Record<string, string> }> {
  const checkTrust = options.skipTrust !== true;
  if (typeof options.policy === 'string') {
    return checkTrust
      ? loadTrustedPolicyPins(options.policy, {
          configDir,
          providers: options.providers,
          commandId: options.commandId,
        })
      : {
          policy: await readPolicyWithProviderSchemes(options.policy, {
            providers: options.providers,
          }),
          verified: [],
          programs: {},
        };
  }
  const policy = options.policy;
  if (!checkTrust) return { policy, verified: [], programs: {} };
  const check = await assertTrustedPins(policy.path, policy.dir, configDir, options.commandId);
  assertSameBytes(policy, check.policySha256);
  return { policy, verified: check.verified, programs: check.programs };
}

/** Stage 2: the command, its extra arguments checked, and the references it receives. */
function pickCommand(policy: Policy, options: RunSealedOptions): PickedCommand {
  const command = findCommand(policy, options.commandId);
  const argv = [...command.argv, ...checkArgs(command, options.args ?? [])];
  const refs = [
    ...new Set(
      Object.values(command.env).flatMap((value) => (value.kind === 'secret' ? [value.ref] : [])),
    ),
  ];
  return { command, argv, refs };
}

/**
 * Stage 3b: where the program may write: the project folder, then each
 * `write:` folder, which must still be the real folder trust saw. Trust
 * pinned the folder itself; a symlink put in its path since (a parent
 * swapped for a link) would make the sandbox allow writes wherever it now
 * leads, so the run is refused instead. After this check the native init
 * opens each folder without following any symlink, so a swap later still
 * fails the run rather than widen what it may write.
 */
async function writeFolders(policy: Policy, picked: PickedCommand): Promise<string[]> {
  const commandId = picked.command.id;
  for (const folder of picked.command.write ?? []) {
    const problem = await writeFolderProblem(folder);
    if (problem === undefined) continue;
    throw new IronrunError(
      'TRUST_CHANGED',
      `ironrun: ${commandId} did not run: its write: folder ${folder} ${problem}, which is not what was trusted. Fix the folder, or review the policy and run ironrun trust again`,
      { commandId },
    );
  }
  // The project folder itself, as the sandbox wants it: its real path (one system call, made
  // synchronously like the sandbox's own checks before the spawn).
  let project = policy.dir;
  try {
    project = realpathSync.native(policy.dir);
  } catch {
    // not resolvable: used as given
  }
  return [project, ...(picked.command.write ?? [])];
}

/** Stage 3: a person's approval, for a command marked `confirm: true`. */
async function approve(picked: PickedCommand, options: RunSealedOptions): Promise<void> {
  const { command, argv, refs } = picked;
  if (!command.confirm) return;
  const commandId = command.id;
  const request: ConfirmRequest = {
    commandId,
    description: command.description,
    argv: [...argv],
    refs: [...refs],
  };
  let approved = false;
  if (options.confirm !== undefined) {
    try {
      approved = (await options.confirm(request)) === true;
    } catch (error) {
      throw new IronrunError(
        'CONFIRM_DECLINED',
        `ironrun: ${commandId} needs a person's approval, and asking failed: ${describe(error)}. It did not run.`,
        { commandId, refs, cause: error },
      );
    }
  }
  if (!approved) {
    throw new IronrunError(
      'CONFIRM_DECLINED',
      options.confirm === undefined
        ? `ironrun: ${commandId} is marked confirm: true and there is no way to ask a person here, so it did not run`
        : `ironrun: ${commandId} was not approved, so it did not run`,
      { commandId, refs },
    );
  }
}

/** Stage 5a: the command's environment, its literals and its secret values. */
function sealedEnv(
  command: PolicyCommand,
  secrets: readonly ResolvedSecret[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(command.env)) {
    if (value.kind === 'literal') env[name] = value.value;
  }
  for (const secret of secrets) env[secret.name] = secret.value;
  return env;
}

/** Stage 5b: hands the values to the caller's hook (the Action masks them); a failure stops the run. */
async function announceSecrets(
  commandId: string,
  secrets: readonly ResolvedSecret[],
  onSecretsResolved: RunSealedOptions['onSecretsResolved'],
): Promise<void> {
  if (onSecretsResolved === undefined || secrets.length === 0) return;
  try {
    await onSecretsResolved(secrets.map((secret) => secret.value));
  } catch (error) {
    const kind = error instanceof Error ? error.name : typeof error;
    throw new IronrunError(
      'SECRETS_HOOK',
      `ironrun: ${commandId} did not start: the onSecretsResolved hook failed (${kind}); its message is not shown because it could contain a secret value`,
      { commandId },
    );
  }
}

/** Stage 6: the sealed child, started. */
async function spawnCommand(
  picked: PickedCommand,
  write: string[],
  env: Record<string, string>,
  signal: AbortSignal | undefined,
  verified: readonly VerifiedPin[],
  realProgram: string | undefined,
  spawner: Pick<SealedSpawner, 'spawn'> | undefined,
): Promise<SealedProcess> {
  const { command, argv } = picked;
  try {
    return await (spawner?.spawn ?? spawnSealed)({
      argv,
      verified,
      ...(realProgram === undefined ? {} : { realProgram }),
      env,
      cwd: command.cwd,
      write,
      ttlMs: command.ttlMs,
      noNetwork: command.noNetwork,
      allow: command.allow,
      ...(command.isolation === undefined ? {} : { isolation: command.isolation }),
      ...(command.limits === undefined ? {} : { limits: command.limits }),
      maxOutputBytes: sandboxOutputLimit,
      ...(command.path === undefined ? {} : { path: command.path }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if (isSandboxError(error) && error.code === 'CONTENT_CHANGED') {
      // A file it runs changed after the trust check: what was verified is not what is there.
      throw new IronrunError(
        'TRUST_CHANGED',
        `ironrun: ${command.id} did not run: ${error.message}`,
        {
          commandId: command.id,
          cause: error,
        },
      );
    }
    if (isSandboxError(error)) {
      throw new IronrunError(
        'SANDBOX',
        `ironrun: ${command.id} could not start: ${error.message}`,
        { commandId: command.id, cause: error },
      );
    }
    throw error;
  }
}

/** Stage 7: both streams through the redactor, live to the callbacks and into bounded windows. */
async function redactOutput(
  child: SealedProcess,
  redactor: Redactor | undefined,
  maxOutputBytes: number,
  options: RunSealedOptions,
): Promise<RedactedOutput> {
  const stdoutWindow = new OutputWindow(maxOutputBytes);
  const stderrWindow = new OutputWindow(maxOutputBytes);
  let callbackError: { error: unknown } | undefined;
  const onCallbackError = (error: unknown) => {
    if (callbackError === undefined) callbackError = { error };
    child.kill();
  };
  const [, , outcome] = await Promise.all([
    pipeRedacted(child.stdout, redactor, stdoutWindow, options.onStdout, onCallbackError),
    pipeRedacted(child.stderr, redactor, stderrWindow, options.onStderr, onCallbackError),
    child.result.catch((error: unknown) => {
      // REPORT_INVALID: what came from inside the seal about the exit could not be trusted.
      throw isSandboxError(error)
        ? new IronrunError('SANDBOX', `ironrun: ${options.commandId} failed: ${error.message}`, {
            commandId: options.commandId,
            cause: error,
          })
        : error;
    }),
  ]);
  if (callbackError !== undefined) throw callbackError.error;
  const stdout = stdoutWindow.finish();
  const stderr = stderrWindow.finish();
  return {
    outcome,
    stdout: { ...stdout, totalBytes: stdoutWindow.totalBytes },
    stderr: { ...stderr, totalBytes: stderrWindow.totalBytes },
  };
}

/** Stage 8: the result, every string in it redacted. */
function runResult(output: RedactedOutput, redactor: Redactor | undefined): RunResult {
  const { outcome, stdout, stderr } = output;
  return {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    durationMs: outcome.durationMs,
    stdout: stdout.text,
    stderr: stderr.text,
    timedOut: outcome.timedOut,
    canceled: outcome.canceled,
    truncated: outcome.truncated || stdout.cutBytes > 0 || stderr.cutBytes > 0,
    redactions: redactor?.stats.total ?? 0,
    stdoutBytes: stdout.totalBytes,
    stderrBytes: stderr.totalBytes,
    isolation: outcome.isolation,
  };
}

/**
 * Runs one named command of a policy, sealed: checks trust, finds the
 * command, validates its extra arguments, asks for approval when the
 * command requires it, resolves that command's secrets at exec time, spawns
 * it in the sandbox with only the declared environment, and redacts every
 * secret from stdout and stderr, live and in the result.
 *
 * Fails closed: anything wrong before the spawn throws an
 * {@link IronrunError} and the command does not run. A command that runs
 * and fails is a result with its exit code, not an error. No error message
 * contains a secret value; secret values are dropped when the run ends
 * (nothing is cached between runs).
 *
 * @example
 * const result = await runSealed({
 *   policy: 'ironrun.yml',
 *   commandId: 'deploy',
 *   providers: { envfile: () => import('@ironrun/providers-envfile') },
 *   onStdout: (chunk) => process.stdout.write(chunk),
 * });
 * console.log(result.exitCode, result.redactions);
 */
export async function runSealed(options: RunSealedOptions): Promise<RunResult> {
  const { signal } = options;
  const configDir = options.configDir ?? defaultConfigDir();
  const { policy, verified, programs } = await loadPolicyForRun(options, configDir);
  const picked = pickCommand(policy, options);
  const commandId = picked.command.id;
  await approve(picked, options);
  const write = await writeFolders(policy, picked);
  if (signal?.aborted) throw canceledBeforeStart(commandId, signal);

  let secrets: ResolvedSecret[] = await resolveCommandSecrets(policy, picked.command, {
    providers: options.providers,
    env: options.env ?? process.env,
    configDir,
    timeoutMs: options.resolveTimeoutMs ?? defaultResolveTimeoutMs,
    signal,
  });
  let env: Record<string, string> = {};
  let redactor: Redactor | undefined;
  try {
    redactor = buildRedactor(commandId, secrets);
    env = sealedEnv(picked.command, secrets);
    await announceSecrets(commandId, secrets, options.onSecretsResolved);
    if (signal?.aborted) throw canceledBeforeStart(commandId, signal);
    const child = await spawnCommand(
      picked,
      write,
      env,
      signal,
      verified,
      Object.hasOwn(programs, picked.command.id) ? programs[picked.command.id] : undefined,
      options.spawner,
    );
    // The child has its copy; ours is no longer needed.
    env = {};
    secrets.length = 0;
    const maxOutputBytes = options.maxOutputBytes ?? picked.command.maxOutputBytes;
    return runResult(await redactOutput(child, redactor, maxOutputBytes, options), redactor);
  } finally {
    // Drop every reference to secret values; nothing outlives the run.
    secrets.length = 0;
    secrets = [];
    env = {};
    redactor = undefined;
  }
}
