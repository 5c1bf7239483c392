import { describe, expect, it } from 'vitest';
import { parseInfisicalOptions } from './options.js';

describe('parseInfisicalOptions', () => {
  it('fills in the defaults', () => {
    expect(parseInfisicalOptions({ project_id: 'p1', environment: 'prod' })).toEqual({
      projectId: 'p1',
      environment: 'prod',
      path: '/',
      siteUrl: 'https://app.infisical.com',
      tokenEnv: 'INFISICAL_TOKEN',
      clientIdEnv: 'INFISICAL_CLIENT_ID',
      clientSecretEnv: 'INFISICAL_CLIENT_SECRET',
      includeImports: true,
    });
  });

  it('accepts a self-hosted https site_url with a path prefix', () => {
    expect(
      parseInfisicalOptions({ site_url: 'https://secrets.corp.example/infisical/' }).siteUrl,
    ).toBe('https://secrets.corp.example/infisical');
  });

  it.each([
    [{ projectid: 'typo' }, /unknown provider option/],
    [{ path: '/a/' }, /folder path/],
    [{ environment: 'pro d' }, /environment slug/],
    [{ site_url: 'ftp://x' }, /https/],
    [{ site_url: 'https://x.example/#frag' }, /fragment/],
    [{ token_env: '' }, /non-empty/],
  ])('refuses %j with CONFIG', (raw, message) => {
    expect(() => parseInfisicalOptions(raw)).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringMatching(message) }),
    );
  });
});
