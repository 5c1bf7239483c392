const brand = Symbol.for('ironrun.SandboxError');

/**
 * Why a sealed process could not be started, as a closed set:
 * - `NOT_ALLOWED`: the program is not on the allowlist.
 * - `NOT_FOUND`: `argv[0]` does not exist (relative to `cwd`, or in the safe `path`).
 * - `NOT_EXECUTABLE`: `argv[0]` exists but is not an executable regular file.
 * - `ISOLATION_UNAVAILABLE`: the isolation asked for (or any process-tree control,
 *   on Windows) is not available here; the command was not run.
 * - `INVALID_OPTIONS`: an option is malformed or forbidden (a `NUL` byte, a
 *   relative `cwd`, an environment variable such as `LD_PRELOAD`…).
 * - `SPAWN_FAILED`: the operating system refused to start the process, or the
 *   run was canceled before it started.
 * - `REPORT_INVALID`: what came from inside the seal about how the program
 *   ended (the namespace init's report) was malformed or disagreed with the
 *   kernel's exit status; the run is failed and none of it is echoed.
 * - `CONTENT_CHANGED`: the program or a script it is given is not the
 *   content that was verified (`verified`); nothing was run.
 */
export type SandboxErrorCode =
  | 'NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'NOT_EXECUTABLE'
  | 'ISOLATION_UNAVAILABLE'
  | 'INVALID_OPTIONS'
  | 'SPAWN_FAILED'
  | 'REPORT_INVALID'
  | 'CONTENT_CHANGED';

/**
 * The one error `@ironrun/sandbox` throws. The message names the program and
 * the option at fault and says how to fix it; it never contains an `env`
 * value or an argument other than `argv[0]`.
 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  /** What went wrong. */
  readonly code: SandboxErrorCode;
  readonly [brand] = true;

  constructor(code: SandboxErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * Whether `value` is a {@link SandboxError}, also across duplicated copies of
 * this package (the check uses a `Symbol.for` brand, not `instanceof`).
 *
 * @example
 * try { await spawnSealed(options) } catch (error) { if (isSandboxError(error) && error.code === 'NOT_FOUND') … }
 */
export function isSandboxError(value: unknown): value is SandboxError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}
