const brand = Symbol.for('ironrun.ProviderError');

/**
 * What went wrong, as a closed set of codes:
 *
 * - `AUTH`: the provider's credentials are missing, wrong or expired.
 * - `NOT_FOUND`: a vault, project, config or environment the options name does not exist
 *   (a missing *secret* is a `{ found: false }` result, not an error).
 * - `NETWORK`: the backend could not be reached or answered with a server error.
 * - `TIMEOUT`: the call did not finish in time, or its signal was aborted.
 * - `CONFIG`: the provider's options are invalid, or a file or setting it needs is missing.
 * - `RATE_LIMIT`: the backend refused the call because of too many requests.
 * - `INVALID_REFERENCE`: a secret reference is malformed for this provider.
 * - `INVALID_RESULT`: a provider broke the interface (wrong number or order of results).
 * - `LOAD`: a provider could not be found, imported, or does not have the expected shape.
 * - `UNKNOWN`: anything else; the original error is kept as `cause`.
 */
export type ProviderErrorCode =
  | 'AUTH'
  | 'NOT_FOUND'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'CONFIG'
  | 'RATE_LIMIT'
  | 'INVALID_REFERENCE'
  | 'INVALID_RESULT'
  | 'LOAD'
  | 'UNKNOWN';

/** Extra facts attached to a {@link ProviderError}. */
export interface ProviderErrorOptions {
  /** The underlying error. Kept for debugging; it must not hold a secret value either. */
  cause?: unknown;
  /** The name of the provider that failed. */
  provider?: string;
  /** The secret references the failing call was resolving (references, never values). */
  refs?: readonly string[];
}

/**
 * The one error class of `@ironrun/provider` and of every provider. Its message says what
 * was expected and how to fix it, and names references, never secret values.
 *
 * @example
 * throw new ProviderError('AUTH', 'envfile: cannot read /home/me/.config/ironrun/secrets.env: permission denied', {
 *   provider: 'envfile',
 *   refs: ['envfile://STRIPE_KEY'],
 * });
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  /** The kind of failure, from a closed set. */
  readonly code: ProviderErrorCode;
  /** The provider that failed, when known. */
  readonly provider: string | undefined;
  /** The references the failing call was resolving, when known. */
  readonly refs: readonly string[];

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.provider = options.provider;
    this.refs = Object.freeze([...(options.refs ?? [])]);
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * Whether `value` is a {@link ProviderError}, even one created by another copy of this
 * package (it checks a `Symbol.for` brand, not `instanceof`).
 */
export function isProviderError(value: unknown): value is ProviderError {
  return (
    typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  );
}

/**
 * The error a provider throws when `resolve()` is called after `dispose()`: a
 * `CONFIG` error naming the provider and the references.
 *
 * @example
 * if (disposed) throw resolvedAfterDispose('doppler', refs);
 */
export function resolvedAfterDispose(provider: string, refs: readonly string[]): ProviderError {
  return new ProviderError('CONFIG', `${provider}: resolve() was called after dispose()`, {
    provider,
    refs,
  });
}
