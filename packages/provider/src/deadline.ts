import { isProviderError, ProviderError } from './provider-error.js';

/** A signal that aborts when the caller's signal does or when `timeoutMs` elapses. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Throws the abort's `ProviderError` if the signal is already aborted (call before any request). */
  throwIfAborted(): void;
  /** Stops the timer; call it when the work is done. */
  clear(): void;
}

/** One running deadline: the signal to pass down, and how to stop its timer. */
export interface DeadlineSignal {
  /** Aborts with the deadline's reason when time runs out, or with the caller's when it aborts. */
  readonly signal: AbortSignal;
  /** Stops the timer (a no-op when the deadline was the caller's, already running). */
  clear(): void;
}

// Survives duplicated copies of this package: the end time travels on the signal itself.
const endsAtKey = Symbol.for('ironrun.deadlineEndsAt');

function endsAtOf(signal: AbortSignal | undefined): number | undefined {
  const endsAt = (signal as { [endsAtKey]?: unknown } | undefined)?.[endsAtKey];
  return typeof endsAt === 'number' ? endsAt : undefined;
}

/**
 * The one deadline of ironrun: a signal that aborts with `reason()` after `timeoutMs`, or
 * when the caller's `signal` aborts, to be passed down to every call it limits. When the
 * caller's signal already carries a deadline (made here) that ends no later, that signal is
 * handed back and no second timer starts: core's deadline for a run, `resolveWithTimeout` and
 * a provider's own `createDeadline`/`withDeadline` share one timer, and the outermost reason
 * (the one its caller reports) is the one thrown. Used alone, each still fails closed on time.
 *
 * @param signal - the caller's signal, if any
 * @param timeoutMs - the limit, in milliseconds
 * @param reason - what the signal aborts with when time runs out (never a secret value)
 *
 * @example
 * const deadline = startDeadline(signal, 10_000, () => new ProviderError('TIMEOUT', 'vault did not answer'));
 * try {
 *   return await abortable(client.read(paths, deadline.signal), deadline.signal);
 * } finally {
 *   deadline.clear();
 * }
 */
export function startDeadline(
  signal: AbortSignal | undefined,
  timeoutMs: number,
  reason: () => unknown,
): DeadlineSignal {
  const endsAt = Date.now() + timeoutMs;
  const outer = endsAtOf(signal);
  if (signal !== undefined && outer !== undefined && outer <= endsAt) {
    return { signal, clear: () => {} };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(reason()), timeoutMs);
  const combined =
    signal === undefined ? controller.signal : AbortSignal.any([signal, controller.signal]);
  Object.defineProperty(combined, endsAtKey, { value: Math.min(endsAt, outer ?? endsAt) });
  return { signal: combined, clear: () => clearTimeout(timer) };
}

/**
 * Combines the caller's signal with the provider's own deadline (`context.timeoutMs`), so a
 * provider fails closed on time even when it is used without a caller-side timeout; under
 * ironrun's own deadline it starts no second timer (see {@link startDeadline}). Both abort
 * with a `ProviderError` of code `TIMEOUT` naming the provider and the references (never a
 * value), which `abortable()` rethrows as is. Call `clear()` when the work is done.
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
  const list = [...new Set(refs)].join(', ');
  const deadline = startDeadline(
    signal,
    timeoutMs,
    () =>
      new ProviderError(
        'TIMEOUT',
        `${provider}: ${backend} did not answer within ${timeoutMs} ms while resolving ${list}; check that it is reachable, or raise the timeout`,
        { provider, refs },
      ),
  );
  const combined = deadline.signal;
  return {
    signal: combined,
    throwIfAborted() {
      if (!combined.aborted) return;
      deadline.clear();
      if (isProviderError(combined.reason)) throw combined.reason;
      throw new ProviderError('TIMEOUT', `${provider}: canceled before resolving ${list}`, {
        provider,
        refs,
        cause: combined.reason,
      });
    },
    clear: deadline.clear,
  };
}
