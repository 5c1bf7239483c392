import { describe, expect, it } from 'vitest';
import { memoryProvider } from '../test/memory-provider.js';
import { isProviderError, ProviderError } from './provider-error.js';
import { resolveWithTimeout } from './resolve-with-timeout.js';
import type { SecretProvider } from './secret-provider.js';

const secret = 'sk_live_supersecret_123';

function stubProvider(resolve: SecretProvider['resolve']): SecretProvider {
  return { name: 'stub', resolve };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  );
  expect(isProviderError(error)).toBe(true);
  return error as ProviderError;
}

describe('resolveWithTimeout', () => {
  it('returns the provider results', async () => {
    const provider = memoryProvider({ secrets: { A: secret } });
    await expect(
      resolveWithTimeout(provider, ['mem://A', 'mem://B'], { timeoutMs: 10_000 }),
    ).resolves.toEqual([
      { ref: 'mem://A', found: true, value: secret },
      { ref: 'mem://B', found: false, reason: 'no secret named B' },
    ]);
  });

  it('fails closed with TIMEOUT naming the provider and references when the provider hangs', async () => {
    const neverAnswers = stubProvider(() => new Promise(() => {}));
    const error = await failure(
      resolveWithTimeout(neverAnswers, ['vault://prod/db', 'vault://prod/api'], { timeoutMs: 20 }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.provider).toBe('stub');
    expect(error.message).toContain("'stub'");
    expect(error.message).toContain('vault://prod/db, vault://prod/api');
    expect(error.message).toContain('20 ms');
    expect(error.refs).toEqual(['vault://prod/db', 'vault://prod/api']);
  });

  it('aborts the signal handed to the provider at the deadline', async () => {
    let seen: AbortSignal | undefined;
    const provider = stubProvider((_, { signal }) => {
      seen = signal;
      return new Promise(() => {});
    });
    await failure(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 10 }));
    expect(seen?.aborted).toBe(true);
  });

  it('replaces whatever the provider throws after the deadline with its own TIMEOUT', async () => {
    const provider = stubProvider(
      (_, { signal }) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () =>
            reject(new Error(`aborted while holding ${secret}`)),
          );
        }),
    );
    const error = await failure(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 10 }));
    expect(error.code).toBe('TIMEOUT');
    expect(`${error.message}${error.stack}${String(error.cause)}`).not.toContain(secret);
  });

  it('rejects with TIMEOUT when the caller signal aborts mid-call', async () => {
    const controller = new AbortController();
    const pending = resolveWithTimeout(
      stubProvider(() => new Promise(() => {})),
      ['x://a'],
      {
        timeoutMs: 60_000,
        signal: controller.signal,
      },
    );
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('canceled');
  });

  it('never calls the provider when the caller signal is already aborted', async () => {
    let calls = 0;
    const controller = new AbortController();
    controller.abort();
    const provider = stubProvider(async () => {
      calls += 1;
      return [];
    });
    await failure(
      resolveWithTimeout(provider, ['x://a'], { timeoutMs: 1000, signal: controller.signal }),
    );
    expect(calls).toBe(0);
  });

  it('resolves an empty batch without calling the provider', async () => {
    const provider = stubProvider(() => {
      throw new Error('must not be called');
    });
    await expect(resolveWithTimeout(provider, [], { timeoutMs: 1000 })).resolves.toEqual([]);
  });

  it('passes a ProviderError from the provider through unchanged', async () => {
    const original = new ProviderError('AUTH', 'stub: token refused', { provider: 'stub' });
    const provider = stubProvider(async () => {
      throw original;
    });
    await expect(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 1000 })).rejects.toBe(
      original,
    );
  });

  it('wraps a foreign error as UNKNOWN without copying its message', async () => {
    const leaky = Object.assign(new Error(`bad value ${secret}`), { code: 'ECONNRESET' });
    const provider = stubProvider(async () => {
      throw leaky;
    });
    const error = await failure(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 1000 }));
    expect(error.code).toBe('UNKNOWN');
    expect(error.message).toContain('ECONNRESET');
    expect(error.message).toContain('x://a');
    expect(error.message).not.toContain(secret);
    // The foreign error is dropped, not kept as cause: its message (or a cause of its own) may
    // quote a value, and a logger that prints the cause chain would print it.
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(secret);
  });

  it('wraps a synchronous throw from resolve', async () => {
    const provider = stubProvider(() => {
      throw new TypeError('boom');
    });
    const error = await failure(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 1000 }));
    expect(error.code).toBe('UNKNOWN');
    expect(error.message).toContain('TypeError');
  });

  it.each([
    ['too few results', [] as unknown[]],
    [
      'results in the wrong order',
      [
        { ref: 'x://b', found: false },
        { ref: 'x://a', found: false },
      ],
    ],
    [
      'a found result without a string value',
      [
        { ref: 'x://a', found: true },
        { ref: 'x://b', found: false },
      ],
    ],
    ['a result without found', [{ ref: 'x://a' }, { ref: 'x://b', found: false }]],
    ['a non-array', { 'x://a': 'v' }],
  ])('rejects %s with INVALID_RESULT', async (_, results) => {
    const provider = stubProvider(async () => results as never);
    const error = await failure(
      resolveWithTimeout(provider, ['x://a', 'x://b'], { timeoutMs: 1000 }),
    );
    expect(error.code).toBe('INVALID_RESULT');
  });

  it('does not echo a mismatched result back into its message', async () => {
    const provider = stubProvider(async () => [{ ref: secret, found: true, value: secret }]);
    const error = await failure(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 1000 }));
    expect(error.message).not.toContain(secret);
  });

  it('strips extra properties from the results', async () => {
    const provider = stubProvider(async () => [
      { ref: 'x://a', found: true, value: 'v', raw: { secret } } as never,
    ]);
    await expect(resolveWithTimeout(provider, ['x://a'], { timeoutMs: 1000 })).resolves.toEqual([
      { ref: 'x://a', found: true, value: 'v' },
    ]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses timeoutMs %s',
    async (timeoutMs) => {
      const error = await failure(
        resolveWithTimeout(memoryProvider({ secrets: {} }), ['mem://A'], { timeoutMs }),
      );
      expect(error.code).toBe('CONFIG');
    },
  );
});
