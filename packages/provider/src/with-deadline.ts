import { createDeadline } from './deadline.js';

/** Who is waiting on what, for {@link withDeadline}'s `TIMEOUT` message. */
export interface WithDeadlineOptions {
  /** The caller's signal (`ResolveContext.signal`). */
  signal: AbortSignal;
  /** The provider's own limit (`ProviderContext.timeoutMs`). */
  timeoutMs: number;
  /** The provider's name. */
  provider: string;
  /** The references being resolved. */
  refs: readonly string[];
  /** What is being waited on, e.g. `'the Doppler API'`. */
  backend: string;
}

/**
 * Runs `work` under a {@link createDeadline} deadline: throws its `TIMEOUT`
 * at once if the caller's signal has already aborted (before any request),
 * hands `work` the combined signal (pass it to every backend call, wrapped
 * in `abortable()`), and stops the timer however `work` ends. The skeleton
 * of a provider's `resolve()` once its references are checked offline.
 *
 * @example
 * return withDeadline(
 *   { signal, timeoutMs: context.timeoutMs, provider: 'vault', refs, backend: 'Vault' },
 *   (deadline) => abortable(client.read(paths, deadline), deadline, { provider: 'vault', refs }),
 * );
 */
export async function withDeadline<T>(
  options: WithDeadlineOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const limit = createDeadline(
    options.signal,
    options.timeoutMs,
    options.provider,
    options.refs,
    options.backend,
  );
  try {
    limit.throwIfAborted();
    return await work(limit.signal);
  } finally {
    limit.clear();
  }
}
