import { ProviderError } from '@ironrun/provider';
import { describe, expect, it } from 'vitest';
import { mapDopplerError } from './doppler-error.js';

const target = {
  project: 'backend',
  config: 'prd',
  refs: ['doppler://KEY'],
  tokenEnv: 'DOPPLER_TOKEN',
};

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });
}

describe('mapDopplerError', () => {
  it.each([
    'ENOTFOUND',
    'ECONNRESET',
    'EAI_AGAIN',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  ])('maps the socket error %s to NETWORK', (code) => {
    expect(mapDopplerError(systemError(code), target).code).toBe('NETWORK');
  });

  it('maps an HTTP 400 to UNKNOWN naming the status', () => {
    const error = mapDopplerError(
      Object.assign(new Error('[object Object]'), { statusCode: 400 }),
      target,
    );
    expect(error.code).toBe('UNKNOWN');
    expect(error.message).toContain('HTTP 400');
  });

  it('keeps the original as cause without copying its message', () => {
    const original = new TypeError('value sk_live_leaked in a message');
    const error = mapDopplerError(original, target);
    expect(error.cause).toBe(original);
    expect(error.message).not.toContain('sk_live_leaked');
    expect(error.message).toContain('TypeError');
  });

  it('passes a ProviderError through unchanged', () => {
    const timeout = new ProviderError('TIMEOUT', 'doppler: too slow');
    expect(mapDopplerError(timeout, target)).toBe(timeout);
  });
});
