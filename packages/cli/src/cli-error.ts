import { ExitCode, type ExitCodeValue } from './exit-code.js';

/** The closed set of {@link CliError} codes. */
export type CliErrorCode =
  | 'USAGE'
  | 'POLICY_NOT_FOUND'
  | 'POLICY_INVALID'
  | 'UNKNOWN_COMMAND'
  | 'ARGS_REJECTED'
  | 'UNTRUSTED'
  | 'POLICY_CHANGED'
  | 'PROVIDER'
  | 'SECRET_MISSING'
  | 'SANDBOX'
  | 'CONFIRM_DECLINED'
  | 'NO_TERMINAL'
  | 'IO'
  | 'CONFINED'
  | 'INTERNAL';

const brand = Symbol.for('ironrun.CliError');

const exitCodes: Record<CliErrorCode, ExitCodeValue> = {
  USAGE: ExitCode.USAGE,
  POLICY_NOT_FOUND: ExitCode.USAGE,
  POLICY_INVALID: ExitCode.USAGE,
  UNKNOWN_COMMAND: ExitCode.USAGE,
  ARGS_REJECTED: ExitCode.USAGE,
  UNTRUSTED: ExitCode.UNTRUSTED,
  POLICY_CHANGED: ExitCode.UNTRUSTED,
  PROVIDER: ExitCode.PROVIDER,
  SECRET_MISSING: ExitCode.PROVIDER,
  SANDBOX: ExitCode.SANDBOX,
  CONFIRM_DECLINED: ExitCode.DECLINED,
  NO_TERMINAL: ExitCode.DECLINED,
  IO: ExitCode.USAGE,
  CONFINED: ExitCode.DECLINED,
  INTERNAL: ExitCode.INTERNAL,
};

/**
 * An error the `ironrun` command reports to the person at the terminal: a
 * message saying what was expected and how to fix it (never a secret value)
 * and the exit code it maps to.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** What went wrong, from a closed set. */
  readonly code: CliErrorCode;
  /** Lines printed under the message: how to fix it. */
  readonly hints: readonly string[];

  constructor(
    code: CliErrorCode,
    message: string,
    options: { cause?: unknown; hints?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hints = options.hints ?? [];
    Object.defineProperty(this, brand, { value: true });
  }

  /** The process exit code for this error. */
  get exitCode(): ExitCodeValue {
    return exitCodes[this.code];
  }
}

/** True when `value` is a {@link CliError}, even one from another copy of this package. */
export function isCliError(value: unknown): value is CliError {
  return typeof value === 'object' && value !== null && brand in value;
}
