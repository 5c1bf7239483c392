import { describe, expect, it } from 'vitest';
import { isProviderError } from './provider-error.js';
import { withDeadline } from './with-deadline.js';

const options = (signal: AbortSignal, timeoutMs = 60_000) => ({
  signal,
  timeoutMs,
  provider: 'vault',
  refs: ['vault://A'],
  backend: 'the vault',
});

describe('withDeadline', () => {
  it("returns the work's result, handing it a live signal", async () => {
    let seen: AbortSignal | undefined;
    const value = await withDeadline(options(new AbortController().signal), async (signal) => {
      seen = signal;
      return 42;
    });
    expect(value).toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it('does not start the work when the caller has already aborted', async () => {
    const caller = new AbortController();
    caller.abort(new Error('gone'));
    let started = false;
    const error = await withDeadline(options(caller.signal), async () => {
      started = true;
    }).catch((reason: unknown) => reason);
    expect(started).toBe(false);
    expect(isProviderError(error) && error.code).toBe('TIMEOUT');
  });

  it('aborts the signal given to the work with TIMEOUT naming the backend when time runs out', async () => {
    const error = await withDeadline(
      options(new AbortController().signal, 10),
      (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    ).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'TIMEOUT', provider: 'vault', refs: ['vault://A'] });
    expect((error as Error).message).toContain('the vault did not answer within 10 ms');
  });

  it('stops the timer when the work ends, so the signal never aborts afterwards', async () => {
    let seen: AbortSignal | undefined;
    await withDeadline(options(new AbortController().signal, 20), async (signal) => {
      seen = signal;
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen?.aborted).toBe(false);
  });

  it("passes the work's own failure through", async () => {
    await expect(
      withDeadline(options(new AbortController().signal), async () => {
        throw new Error('backend exploded');
      }),
    ).rejects.toThrow('backend exploded');
  });
});
