import { isInsideDirEitherWay } from '@ironrun/policy';
import { isProviderError, type ProviderContext } from '@ironrun/provider';
import { type ProviderFixtures, testDeclaration, testProvider } from '@ironrun/provider/testing';
import { rejection } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { parseOnePasswordOptions, provider } from '../src/index.js';
import { createOnePasswordProvider } from '../src/onepassword-provider.js';
import type { ConnectOnePassword } from '../src/secrets-client.js';
import { fakeSecretsClient } from './fake-secrets-client.js';

const token = 'ops_eyJmYWtlIjoic2VydmljZS1hY2NvdW50LXRva2VuIn0';
const values = {
  stripe: 'sk_live_51SdkFakeStripeKey0a1b2c',
  admin: 'sdk-admin-section-value-77aa',
  multiline: 'line one\nline two\n',
};
const vaults = {
  Production: {
    Stripe: { 'secret key': values.stripe, notes: values.multiline },
    PagerDuty: { 'Admin/api-key': values.admin },
  },
};

function context(env: Record<string, string | undefined>, timeoutMs = 5000): ProviderContext {
  return {
    projectDir: '/nonexistent/project',
    env,
    configDir: '/nonexistent/config',
    timeoutMs,
    isInsideProject: (path) => isInsideDirEitherWay('/nonexistent/project', path),
  };
}

function withClient(
  client: ReturnType<typeof fakeSecretsClient>,
  raw: Record<string, unknown> = {},
  env: Record<string, string | undefined> = { OP_SERVICE_ACCOUNT_TOKEN: token, PATH: '' },
  timeoutMs = 5000,
) {
  const tokens: string[] = [];
  const connect: ConnectOnePassword = async (given) => {
    tokens.push(given);
    return client;
  };
  const created = createOnePasswordProvider(parseOnePasswordOptions(raw), context(env, timeoutMs), {
    connect,
  });
  return { provider: created, tokens };
}

const failure = (promise: Promise<unknown>) => rejection(promise, isProviderError);

const signal = () => new AbortController().signal;

const fixtures = {
  found: {
    'op://Production/Stripe/secret key': values.stripe,
    'op://Production/PagerDuty/Admin/api-key': values.admin,
    'op://Production/Stripe/notes': values.multiline,
  },
  missing: [
    'op://Production/Stripe/nope',
    'op://Production/Nope/field',
    'op://Nope/Stripe/secret key',
  ],
  invalid: [
    'op://Production/Stripe',
    'op://Production/Stripe/secret key?attribute=otp?x',
    'op:/Production/Stripe/key',
  ],
} satisfies ProviderFixtures;

testDeclaration({
  manifest,
  definition: provider,
  valid: [...Object.keys(fixtures.found), ...fixtures.missing],
  invalid: fixtures.invalid,
});

testProvider({
  name: '1password via the SDK (fake client behind the provider interface)',
  definition: provider as never,
  create: () => withClient(fakeSecretsClient(vaults)).provider,
  slow: () => withClient(fakeSecretsClient(vaults, { hang: true }), {}, undefined, 60_000).provider,
  failing: () =>
    withClient(
      fakeSecretsClient(vaults, { throws: Object.assign(new Error('unauthorized: 401'), {}) }),
    ).provider,
  fixtures,
  invalidOptions: [{ mode: 'service-account' }, { token_env: 'OP TOKEN' }],
});

describe('provider (1password, SDK)', () => {
  it('connects once with the token and resolves each batch with one resolveAll of distinct references', async () => {
    const client = fakeSecretsClient(vaults);
    const { provider: onePassword, tokens } = withClient(client);
    const refs = [
      'op://Production/Stripe/secret key',
      'op://Production/Stripe/nope',
      'op://Production/Stripe/secret key',
    ];
    await onePassword.resolve(refs, { signal: signal() });
    await onePassword.resolve(['op://Production/PagerDuty/Admin/api-key'], { signal: signal() });
    expect(tokens).toEqual([token]);
    expect(client.calls).toEqual([
      ['op://Production/Stripe/secret key', 'op://Production/Stripe/nope'],
      ['op://Production/PagerDuty/Admin/api-key'],
    ]);
  });

  it('reads the token from the variable token_env names', async () => {
    const { tokens } = withClient(
      fakeSecretsClient(vaults),
      { token_env: 'MY_OP' },
      { MY_OP: token },
    );
    expect(tokens).toEqual([]); // nothing is called before resolve
    const { provider: onePassword, tokens: used } = withClient(
      fakeSecretsClient(vaults),
      { token_env: 'MY_OP' },
      { MY_OP: token },
    );
    await onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() });
    expect(used).toEqual([token]);
  });

  it('refuses to fall back to op when token_env was named explicitly but is empty', () => {
    expect(() =>
      withClient(fakeSecretsClient(vaults), { token_env: 'MY_OP' }, { MY_OP: '' }),
    ).toThrow(expect.objectContaining({ code: 'AUTH', message: expect.stringContaining('MY_OP') }));
  });

  it('refuses mode: sdk without a token, naming where the token belongs', () => {
    expect(() => withClient(fakeSecretsClient(vaults), { mode: 'sdk' }, {})).toThrow(
      expect.objectContaining({
        code: 'AUTH',
        message: expect.stringContaining("never put it in the agent's environment"),
      }),
    );
  });

  it.each([
    ['vaultNotFound', 'no vault'],
    ['itemNotFound', 'no item'],
    ['noMatchingSections', 'no section'],
    ['fieldNotFound', 'no field'],
    ['tooManyItems', 'ambiguous'],
    ['unableToGenerateTotpCode', 'unableToGenerateTotpCode'],
  ])('maps the per-reference error %s to not found with a reason', async (type, reason) => {
    const ref = 'op://Production/Stripe/secret key';
    const { provider: onePassword } = withClient(
      fakeSecretsClient(vaults, { errors: { [ref]: type } }),
    );
    const results = await onePassword.resolve([ref, 'op://Production/PagerDuty/Admin/api-key'], {
      signal: signal(),
    });
    expect(results[0]).toEqual({ ref, found: false, reason: expect.stringContaining(reason) });
    expect(results[1]).toMatchObject({ found: true, value: values.admin });
  });

  it('maps a parsing error from the SDK to INVALID_REFERENCE', async () => {
    const ref = 'op://Production/Stripe/secret key';
    const { provider: onePassword } = withClient(
      fakeSecretsClient(vaults, { errors: { [ref]: 'parsing' } }),
    );
    const error = await failure(onePassword.resolve([ref], { signal: signal() }));
    expect(error).toMatchObject({ code: 'INVALID_REFERENCE', refs: [ref] });
  });

  it.each([
    [Object.assign(new Error('session expired'), {}), 'AUTH'],
    [new (class RateLimitExceededError extends Error {})('slow down'), 'RATE_LIMIT'],
    [new Error('error sending request for url (https://my.1password.com/api/v2/...)'), 'NETWORK'],
    [new TypeError('boom'), 'UNKNOWN'],
  ])('maps a thrown %s to %s without the token in the error', async (thrown, code) => {
    const { provider: onePassword } = withClient(fakeSecretsClient(vaults, { throws: thrown }));
    const error = await failure(
      onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
    );
    expect(error).toMatchObject({
      code,
      provider: '1password',
      refs: ['op://Production/Stripe/secret key'],
    });
    expect(error.message + JSON.stringify(error)).not.toContain(token);
  });

  it('retries the connection on the next resolve after a failed connect', async () => {
    let attempts = 0;
    const connect: ConnectOnePassword = async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('error sending request');
      return fakeSecretsClient(vaults);
    };
    const onePassword = createOnePasswordProvider(
      parseOnePasswordOptions({}),
      context({ OP_SERVICE_ACCOUNT_TOKEN: token }),
      {
        connect,
      },
    );
    expect(
      (
        await failure(
          onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
        )
      ).code,
    ).toBe('NETWORK');
    const [result] = await onePassword.resolve(['op://Production/Stripe/secret key'], {
      signal: signal(),
    });
    expect(result?.found).toBe(true);
  });

  it('fails closed with TIMEOUT naming provider and reference when 1Password never answers', async () => {
    const { provider: onePassword } = withClient(
      fakeSecretsClient(vaults, { hang: true }),
      {},
      undefined,
      100,
    );
    const error = await failure(
      onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: '1password',
      refs: ['op://Production/Stripe/secret key'],
    });
    expect(error.message).toContain('op://Production/Stripe/secret key');
  });

  it('passes a malformed token to the real SDK, which refuses it offline, as AUTH', async () => {
    const onePassword = await provider.create(
      provider.parseOptions({}),
      context({ OP_SERVICE_ACCOUNT_TOKEN: 'ops_not-a-real-token' }),
    );
    const error = await failure(
      onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
    );
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('OP_SERVICE_ACCOUNT_TOKEN');
    expect(error.message).not.toContain('ops_not-a-real-token');
  });
});
