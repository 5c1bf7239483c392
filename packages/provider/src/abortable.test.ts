import { describe, expect, it } from 'vitest';
import { abortable } from './abortable.js';
import { isProviderError, ProviderError } from './provider-error.js';

describe('abortable', () => {
  it('settles like the promise when the signal never aborts', async () => {
    await expect(abortable(Promise.resolve(42), new AbortController().signal)).resolves.toBe(42);
    await expect(
      abortable(Promise.reject(new ProviderError('AUTH', 'no')), new AbortController().signal),
    ).rejects.toMatchObject({ code: 'AUTH' });
  });

  it('rejects at once with TIMEOUT when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await abortable(new Promise(() => {}), controller.signal, {
      provider: 'memory',
      refs: ['mem://A'],
    }).catch((caught: unknown) => caught);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TIMEOUT', provider: 'memory', refs: ['mem://A'] });
  });

  it('rejects a hanging promise when the signal aborts mid-wait', async () => {
    const controller = new AbortController();
    const pending = abortable(new Promise(() => {}), controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'ProviderError', code: 'TIMEOUT' });
  });

  it('rejects with the signal reason when it is a ProviderError', async () => {
    const controller = new AbortController();
    const reason = new ProviderError('TIMEOUT', 'deadline');
    const pending = abortable(new Promise(() => {}), controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('swallows a late rejection of the promise after the abort', async () => {
    const controller = new AbortController();
    let fail!: (error: Error) => void;
    const late = new Promise((_, reject) => {
      fail = reject;
    });
    const pending = abortable(late, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
    fail(new Error('late'));
    // An unhandled rejection would fail the test run.
    await new Promise((resolve) => setImmediate(resolve));
  });
});
