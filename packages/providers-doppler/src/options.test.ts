import { describe, expect, it } from 'vitest';
import { parseDopplerOptions } from './options.js';

describe('parseDopplerOptions', () => {
  it('defaults the token variable and the API URL', () => {
    expect(parseDopplerOptions({})).toEqual({
      tokenEnv: 'DOPPLER_TOKEN',
      apiUrl: 'https://api.doppler.com',
    });
  });

  it('reads every option and drops a trailing slash from api_url', () => {
    expect(
      parseDopplerOptions({
        project: 'backend',
        config: 'prd',
        token_env: 'MY_DOPPLER',
        api_url: 'http://127.0.0.1:8080/',
      }),
    ).toEqual({
      project: 'backend',
      config: 'prd',
      tokenEnv: 'MY_DOPPLER',
      apiUrl: 'http://127.0.0.1:8080',
    });
  });

  it.each([
    [{ projekt: 'typo' }, /unknown provider option 'projekt'/],
    [{ project: '' }, /non-empty string/],
    [{ config: 'prd/x' }, /slug/],
    [{ token_env: 'A B' }, /environment variable/],
    [{ api_url: 'not a url' }, /not a URL/],
    [{ api_url: 'http://10.0.0.1' }, /https/],
    [{ api_url: 'https://api.doppler.com/?token=x' }, /query/],
  ])('refuses %j with CONFIG', (raw, message) => {
    expect(() => parseDopplerOptions(raw)).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringMatching(message) }),
    );
  });
});
