import { abortable } from './abortable.js';
import { startDeadline } from './deadline.js';
import { describeRefs } from './describe-refs.js';
import { isProviderError, ProviderError } from './provider-error.js';
import type { ResolveResult, SecretProvider } from './secret-provider.js';

/** Options of {@link resolveWithTimeout}. */
export interface ResolveWithTimeoutOptions {
  /** How long the provider may take, in milliseconds (a positive finite number). */
  timeoutMs: number;
  /** Cancels the call early (e.g. the run was canceled). */
  signal?: AbortSignal;
}

function checkResults(
  provider: string,
  refs: readonly string[],
  results: unknown,
): ResolveResult[] {
  const fail = (what: string) =>
    new ProviderError(
      'INVALID_RESULT',
      `provider '${provider}' broke the provider interface: ${what}; resolve() must return one { ref, found, value? } per reference, in the order asked`,
      { provider, refs },
    );
  if (!Array.isArray(results)) throw fail('resolve() did not return an array');
  if (results.length !== refs.length) {
    throw fail(`it returned ${results.length} results for ${refs.length} references`);
  }
  return refs.map((ref, index) => {
    const result: unknown = results[index];
    if (
      typeof result !== 'object' ||
      result === null ||
      (result as { ref?: unknown }).ref !== ref
    ) {
      throw fail(`result ${index} is not the answer for ${ref}`);
    }
    const { found, value, reason } = result as {
      found?: unknown;
      value?: unknown;
      reason?: unknown;
    };
    if (found === true) {
      if (typeof value !== 'string') throw fail(`the value for ${ref} is not a string`);
      return { ref, found: true, value };
    }
    if (found === false) {
      return typeof reason === 'string' ? { ref, found: false, reason } : { ref, found: false };
    }
    throw fail(`result ${index} (${ref}) has no boolean 'found'`);
  });
}

function wrapForeign(provider: string, refs: readonly string[], error: unknown): ProviderError {
  // Neither the foreign message nor the error itself is kept: either may quote a value (and a
  // logger that prints cause chains would print it). Its name and errno-style code are kept.
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? ` (${code})` : '';
  return new ProviderError(
    'UNKNOWN',
    `provider '${provider}' failed with ${name}${detail} while resolving ${describeRefs(refs)}; its message is not shown because it could contain a secret value`,
    { provider, refs },
  );
}

/**
 * Calls `provider.resolve(refs)` under a deadline and fails closed: when the provider does
 * not answer within `timeoutMs` (or `signal` aborts), it aborts the provider's signal and
 * rejects at once with a {@link ProviderError} of code `TIMEOUT` naming the provider and the
 * references, whether or not the provider honours the signal. It also checks the results
 * against the interface (`INVALID_RESULT`) and wraps any error that is not a
 * `ProviderError` (`UNKNOWN`, naming its class and errno-style code only: neither its message nor
 * the error itself is kept, since either could quote a secret value).
 *
 * @example
 * const results = await resolveWithTimeout(provider, ['envfile://STRIPE_KEY'], { timeoutMs: 10_000 });
 */
export async function resolveWithTimeout(
  provider: SecretProvider,
  refs: readonly string[],
  options: ResolveWithTimeoutOptions,
): Promise<ResolveResult[]> {
  const { timeoutMs, signal } = options;
  const name = provider.name;
  if (!(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new ProviderError('CONFIG', `timeoutMs must be a positive number of milliseconds`, {
      provider: name,
      refs,
    });
  }
  const asked = [...refs];
  const canceled = () =>
    new ProviderError(
      'TIMEOUT',
      `provider '${name}' was canceled while resolving ${describeRefs(asked)}`,
      { provider: name, refs: asked, cause: signal?.reason },
    );
  if (signal?.aborted) throw canceled();
  if (asked.length === 0) return [];

  // One deadline, shared with the caller's when it already runs one (core's, for a run).
  const deadline = startDeadline(
    signal,
    timeoutMs,
    () =>
      new ProviderError(
        'TIMEOUT',
        `provider '${name}' did not resolve ${describeRefs(asked)} within ${timeoutMs} ms; check that its backend is reachable, or raise the timeout`,
        { provider: name, refs: asked },
      ),
  );
  const stopped = () =>
    isProviderError(deadline.signal.reason) ? deadline.signal.reason : canceled();

  try {
    let pending: Promise<ResolveResult[]>;
    try {
      pending = Promise.resolve(provider.resolve(asked, { signal: deadline.signal }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    let results: unknown;
    try {
      results = await abortable(pending, deadline.signal, { provider: name, refs: asked });
    } catch (error) {
      // Once we gave up, our own TIMEOUT (or cancel) wins over whatever the provider threw.
      if (deadline.signal.aborted) throw stopped();
      throw isProviderError(error) ? error : wrapForeign(name, asked, error);
    }
    return checkResults(name, asked, results);
  } finally {
    deadline.clear();
  }
}
