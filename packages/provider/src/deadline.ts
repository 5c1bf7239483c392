import { isProviderError, ProviderError } from './provider-error.js';

/** A signal that aborts when the caller's signal does or when `timeoutMs` elapses. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Throws the abort's `ProviderError` if the signal is already aborted (call before any request). */
  throwIfAborted(): void;
  /** Stops the timer; call it when the work is done. */
  clear(): void;
}

/**
 * Combines the caller's signal with the provider's own deadline (`context.timeoutMs`), so a
 * provider fails closed on time even when it is used without a caller-side timeout. Both
 * abort with a `ProviderError` of code `TIMEOUT` naming the provider and the references
 * (never a value), which `abortable()` rethrows as is. Call `clear()` when the work is done.
 *
 * @param signal - the caller's signal (`ResolveContext.signal`)
 * @param timeoutMs - the provider's own limit (`ProviderContext.timeoutMs`)
 * @param provider - the provider's name, for the error message
 * @param refs - the references being resolved, for the error message
 * @param backend - what is being waited on, e.g. `'the Doppler API'`
 *
 * @example
 * const limit = createDeadline(signal, context.timeoutMs, 'doppler', refs, 'the Doppler API');
 * try {
 *   limit.throwIfAborted();
 *   return await abortable(fetchSecrets(refs), limit.signal);
 * } finally {
 *   limit.clear();
 * }
 */
export function createDeadline(
  signal: AbortSignal,
  timeoutMs: number,
  provider: string,
  refs: readonly string[],
  backend: string,
): Deadline {
  const controller = new AbortController();
  const list = [...new Set(refs)].join(', ');
  const timer = setTimeout(() => {
    controller.abort(
      new ProviderError(
        'TIMEOUT',
        `${provider}: ${backend} did not answer within ${timeoutMs} ms while resolving ${list}; check that it is reachable, or raise the timeout`,
        { provider, refs },
      ),
    );
  }, timeoutMs);
  const combined = AbortSignal.any([signal, controller.signal]);
  return {
    signal: combined,
    throwIfAborted() {
      if (!combined.aborted) return;
      clearTimeout(timer);
      if (isProviderError(combined.reason)) throw combined.reason;
      throw new ProviderError('TIMEOUT', `${provider}: canceled before resolving ${list}`, {
        provider,
        refs,
        cause: combined.reason,
      });
    },
    clear: () => clearTimeout(timer),
  };
}
