import { describe, expect, it } from 'vitest';
import { isProviderError, ProviderError, resolvedAfterDispose } from './provider-error.js';

describe('ProviderError', () => {
  it('carries its code, provider, references and cause', () => {
    const cause = new Error('socket hang up');
    const error = new ProviderError('NETWORK', 'doppler: cannot reach api.doppler.com', {
      cause,
      provider: 'doppler',
      refs: ['doppler://A'],
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ProviderError');
    expect(error.code).toBe('NETWORK');
    expect(error.provider).toBe('doppler');
    expect(error.refs).toEqual(['doppler://A']);
    expect(error.cause).toBe(cause);
    expect(Object.isFrozen(error.refs)).toBe(true);
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new ProviderError('CONFIG', 'x')).toBe(false);
  });
});

describe('isProviderError', () => {
  it('recognizes a ProviderError', () => {
    expect(isProviderError(new ProviderError('AUTH', 'no token'))).toBe(true);
  });

  it('recognizes an error branded by another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), { code: 'AUTH' });
    Object.defineProperty(foreign, Symbol.for('ironrun.ProviderError'), { value: true });
    expect(isProviderError(foreign)).toBe(true);
  });

  it('rejects look-alikes without the brand', () => {
    expect(
      isProviderError(Object.assign(new Error('x'), { name: 'ProviderError', code: 'AUTH' })),
    ).toBe(false);
    expect(isProviderError(null)).toBe(false);
    expect(isProviderError('ProviderError')).toBe(false);
  });
});

describe('resolvedAfterDispose', () => {
  it('is a CONFIG error naming the provider and the references', () => {
    const error = resolvedAfterDispose('doppler', ['doppler://A']);
    expect(isProviderError(error)).toBe(true);
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe('doppler: resolve() was called after dispose()');
    expect(error.provider).toBe('doppler');
    expect(error.refs).toEqual(['doppler://A']);
  });
});
