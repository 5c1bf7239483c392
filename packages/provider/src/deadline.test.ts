import { describe, expect, it } from 'vitest';
import { createDeadline } from './deadline.js';
import { isProviderError } from './provider-error.js';

describe('createDeadline', () => {
  it('aborts with a TIMEOUT ProviderError naming the provider and references when time runs out', async () => {
    const limit = createDeadline(
      new AbortController().signal,
      10,
      'vault',
      ['vault://A', 'vault://B'],
      'the vault',
    );
    await new Promise<void>((resolve) => limit.signal.addEventListener('abort', () => resolve()));
    let thrown: unknown;
    try {
      limit.throwIfAborted();
    } catch (error) {
      thrown = error;
    }
    expect(isProviderError(thrown)).toBe(true);
    expect(thrown).toMatchObject({
      code: 'TIMEOUT',
      provider: 'vault',
      refs: ['vault://A', 'vault://B'],
    });
    expect((thrown as Error).message).toContain('vault://A, vault://B');
  });

  it("follows the caller's signal and reports a cancel as TIMEOUT", () => {
    const caller = new AbortController();
    const limit = createDeadline(caller.signal, 60_000, 'vault', ['vault://A'], 'the vault');
    expect(() => limit.throwIfAborted()).not.toThrow();
    caller.abort(new Error('client went away'));
    expect(limit.signal.aborted).toBe(true);
    expect(() => limit.throwIfAborted()).toThrow(expect.objectContaining({ code: 'TIMEOUT' }));
    limit.clear();
  });

  it('does not abort once cleared', async () => {
    const limit = createDeadline(
      new AbortController().signal,
      5,
      'vault',
      ['vault://A'],
      'the vault',
    );
    limit.clear();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(limit.signal.aborted).toBe(false);
  });
});
