import { describe, expect, it, vi } from 'vitest';
import { createDeadline, startDeadline } from './deadline.js';
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

describe('startDeadline', () => {
  it('under a caller deadline that ends no later, starts no second timer and keeps its reason', async () => {
    vi.useFakeTimers();
    try {
      const outerReason = new Error('core: the provider did not answer within 100 ms');
      const outer = startDeadline(undefined, 100, () => outerReason);
      expect(vi.getTimerCount()).toBe(1);
      const inner = startDeadline(outer.signal, 100, () => new Error('inner'));
      const vendor = createDeadline(inner.signal, 100, 'vault', ['vault://A'], 'the vault');
      expect(vi.getTimerCount()).toBe(1);
      expect(vendor.signal).toBe(outer.signal);
      await vi.advanceTimersByTimeAsync(100);
      expect(vendor.signal.reason).toBe(outerReason);
      expect(() => vendor.throwIfAborted()).toThrow(expect.objectContaining({ code: 'TIMEOUT' }));
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts its own timer when it is tighter than the caller deadline, and aborts first', async () => {
    vi.useFakeTimers();
    try {
      const outer = startDeadline(undefined, 1_000, () => new Error('outer'));
      const inner = startDeadline(outer.signal, 10, () => new Error('inner'));
      expect(vi.getTimerCount()).toBe(2);
      await vi.advanceTimersByTimeAsync(10);
      expect((inner.signal.reason as Error).message).toBe('inner');
      expect(outer.signal.aborted).toBe(false);
      outer.clear();
      inner.clear();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("follows a plain caller signal (no deadline on it) and aborts with the caller's reason", () => {
    const caller = new AbortController();
    const deadline = startDeadline(caller.signal, 60_000, () => new Error('late'));
    caller.abort(new Error('client went away'));
    expect((deadline.signal.reason as Error).message).toBe('client went away');
    deadline.clear();
  });
});
