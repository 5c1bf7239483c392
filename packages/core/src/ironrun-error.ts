const brand = Symbol.for('ironrun.IronrunError');

/**
 * Why {@link runSealed} refused or failed. Every code means the command did
 * not run, or (`SANDBOX`) could not be started.
 *
 * - `POLICY`: the policy file is missing or invalid.
 * - `TRUST_UNTRUSTED`: the policy was never trusted by a person (`ironrun trust`).
 * - `TRUST_CHANGED`: the policy or a file it runs changed since it was trusted.
 * - `UNKNOWN_COMMAND`: no command has that id (the message lists the valid ids).
 * - `ARGS_REJECTED`: the extra arguments do not match what the command declares.
 * - `CONFIRM_DECLINED`: the command needs a person's approval and did not get it.
 * - `PROVIDER`: the secret provider could not be loaded, failed, or timed out.
 * - `SECRET_MISSING`: a secret reference was not found or its value is empty.
 * - `SECRET_TOO_SHORT`: a resolved secret is too short to redact safely.
 * - `REDACTOR`: a resolved secret cannot be redacted for another reason (for
 *   example it is part of the replacement text itself).
 * - `SANDBOX`: the sealed process could not be started, or (its cause has
 *   `REPORT_INVALID`) the report of how it ended came from inside the seal
 *   malformed or forged, so the run failed and none of it is shown.
 * - `SECRETS_HOOK`: the caller's `onSecretsResolved` hook failed, so the
 *   command did not start (the hook's error is not kept: it could quote a value).
 * - `CANCELED`: the caller's signal aborted the run before the command started.
 * - `BROKER`: the broker of `ironrun agent` could not be reached, or broke the
 *   protocol; the command may not have run.
 */
export type IronrunErrorCode =
  | 'POLICY'
  | 'TRUST_UNTRUSTED'
  | 'TRUST_CHANGED'
  | 'UNKNOWN_COMMAND'
  | 'ARGS_REJECTED'
  | 'CONFIRM_DECLINED'
  | 'PROVIDER'
  | 'SECRET_MISSING'
  | 'SECRET_TOO_SHORT'
  | 'REDACTOR'
  | 'SANDBOX'
  | 'SECRETS_HOOK'
  | 'CANCELED'
  | 'BROKER';

/** Extra facts an {@link IronrunError} carries. None of them is a secret value. */
export interface IronrunErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** The command that was asked for. */
  commandId?: string | undefined;
  /** The secret references involved (references, never values). */
  refs?: readonly string[] | undefined;
}

/**
 * The one error class of `@ironrun/core`. Its message says what happened and
 * how to fix it, and never contains a secret value.
 */
export class IronrunError extends Error {
  override readonly name = 'IronrunError';
  /** What went wrong, from a closed set. */
  readonly code: IronrunErrorCode;
  /** The command that was asked for, when known. */
  readonly commandId: string | undefined;
  /** The secret references involved, when any (never values). */
  readonly refs: readonly string[];
  /** @internal */
  readonly [brand] = true;

  constructor(code: IronrunErrorCode, message: string, options: IronrunErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.commandId = options.commandId;
    this.refs = [...(options.refs ?? [])];
  }
}

/**
 * Tells whether `value` is an {@link IronrunError}, even one thrown by another
 * copy of `@ironrun/core` in the same process.
 */
export function isIronrunError(value: unknown): value is IronrunError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}
