const brand = Symbol.for('ironrun.RedactorError');

/**
 * Why the redactor refused. The set is closed.
 *
 * - `SECRET_TOO_SHORT`: a secret is shorter than `minLength`; {@link RedactorError.index} says which.
 * - `INVALID_OPTIONS`: an option has the wrong type or value, or is unknown.
 * - `REPLACEMENT_CONTAINS_SECRET`: the replacement text itself contains a secret or one of its
 *   encoded forms, so redacted output would still show it; {@link RedactorError.index} says which.
 * - `INVALID_INPUT`: a stream was given something other than bytes.
 * - `STREAM_ENDED`: `push()` or `end()` was called on a stream that has already ended.
 * - `UNSUPPORTED_RUNTIME`: `nodeTransform()` was called outside Node.js (20.16 or later).
 */
export type RedactorErrorCode =
  | 'SECRET_TOO_SHORT'
  | 'INVALID_OPTIONS'
  | 'REPLACEMENT_CONTAINS_SECRET'
  | 'INVALID_INPUT'
  | 'STREAM_ENDED'
  | 'UNSUPPORTED_RUNTIME';

/** Extra facts a {@link RedactorError} carries. None of them is a secret value. */
export interface RedactorErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Position in the `secrets` list of the secret concerned. */
  index?: number | undefined;
}

/**
 * The one error class of `@ironrun/redactor`. Its message says what was
 * expected and how to fix it; it names a secret by its position in the list,
 * never by its value.
 *
 * @example
 * ```ts
 * try {
 *   createRedactor({ secrets: ['abc'] });
 * } catch (error) {
 *   if (isRedactorError(error) && error.code === 'SECRET_TOO_SHORT') console.log(error.index); // 0
 * }
 * ```
 */
export class RedactorError extends Error {
  override readonly name = 'RedactorError';
  /** What went wrong, from a closed set. */
  readonly code: RedactorErrorCode;
  /** Position in the `secrets` list of the secret concerned, when one is. */
  readonly index: number | undefined;
  /** @internal */
  readonly [brand] = true;

  constructor(code: RedactorErrorCode, message: string, options: RedactorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.index = options.index;
  }
}

/**
 * Tells whether `value` is a {@link RedactorError}, even one thrown by another
 * copy of `@ironrun/redactor` loaded in the same process.
 */
export function isRedactorError(value: unknown): value is RedactorError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}
