import { isProviderError, ProviderError } from './provider-error.js';

/** Who is waiting, for the message of the error {@link abortable} rejects with. */
export interface AbortableOptions {
  /** The provider's name. */
  provider?: string;
  /** The references being resolved. */
  refs?: readonly string[];
}

function abortError(signal: AbortSignal, options: AbortableOptions): ProviderError {
  if (isProviderError(signal.reason)) return signal.reason;
  const who = options.provider === undefined ? 'the provider' : `provider '${options.provider}'`;
  return new ProviderError('TIMEOUT', `${who} was aborted before it finished resolving`, {
    cause: signal.reason,
    ...(options.provider === undefined ? {} : { provider: options.provider }),
    ...(options.refs === undefined ? {} : { refs: options.refs }),
  });
}

/**
 * Settles like `promise`, but rejects as soon as `signal` aborts, for backends (SDK calls,
 * file reads) that ignore abort signals. The rejection is the signal's reason when that is a
 * {@link ProviderError}, else a `ProviderError` with code `TIMEOUT`. A late rejection of
 * `promise` after the abort is swallowed, so it cannot crash the process.
 *
 * @example
 * const secrets = await abortable(client.download({ project, config }), signal, { provider: 'doppler', refs });
 */
export function abortable<T>(
  promise: PromiseLike<T>,
  signal: AbortSignal,
  options: AbortableOptions = {},
): Promise<T> {
  const settled = Promise.resolve(promise);
  if (signal.aborted) {
    settled.catch(() => {});
    return Promise.reject(abortError(signal, options));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      settled.catch(() => {});
      reject(abortError(signal, options));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    settled.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
