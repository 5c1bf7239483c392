import { describe, expect, it } from 'vitest';
import { mapInfisicalError, statusOf } from './infisical-error.js';

const list = {
  phase: 'list' as const,
  projectId: 'p',
  environment: 'prod',
  path: '/',
  refs: ['infisical://KEY'],
  credentials: 'the token in INFISICAL_TOKEN',
};

/** Errors shaped like the ones @infisical/sdk 5 builds (its classes are not exported). */
function requestError(status: number, message = 'Simulated'): Error {
  const error = new Error(
    `[URL=http://127.0.0.1/api/v3/secrets/raw] [Method=GET] [StatusCode=${status}] ${message}`,
  );
  error.name = 'InfisicalSDKRequestError';
  return error;
}
function sdkError(message: string): Error {
  const error = new Error(message);
  error.name = 'InfisicalSDKError';
  return error;
}

describe('statusOf', () => {
  it('reads the status from both SDK message shapes', () => {
    expect(statusOf(requestError(404))).toBe(404);
    expect(statusOf(sdkError('Request failed with status 502'))).toBe(502);
    expect(statusOf(sdkError('fetch failed'))).toBeUndefined();
  });
});

describe('mapInfisicalError', () => {
  it('maps a 429 that outlasted the SDK retries to RATE_LIMIT', () => {
    expect(mapInfisicalError(requestError(429), list).code).toBe('RATE_LIMIT');
  });

  it("maps the SDK's own per-request timeout to TIMEOUT", () => {
    expect(mapInfisicalError(sdkError('This operation was aborted'), list).code).toBe('TIMEOUT');
  });

  it('maps an unreachable host to NETWORK', () => {
    expect(mapInfisicalError(sdkError('fetch failed'), list).code).toBe('NETWORK');
  });

  it('maps HTTP 400 to CONFIG', () => {
    expect(mapInfisicalError(requestError(400), list).code).toBe('CONFIG');
  });

  it('keeps a list error as cause but drops a login error, which could echo the client secret', () => {
    const original = requestError(422, '{"clientSecret":"echoed-secret"}');
    expect(mapInfisicalError(original, list).cause).toBe(original);
    const login = mapInfisicalError(original, {
      phase: 'login',
      refs: ['infisical://KEY'],
      credentials: 'x',
    });
    expect(login.cause).toBeUndefined();
    expect(JSON.stringify(login) + login.message).not.toContain('echoed-secret');
  });
});
