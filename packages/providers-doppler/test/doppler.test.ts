import {
  isProviderError,
  type ProviderContext,
  type ProviderError,
  resolveWithTimeout,
} from '@ironrun/provider';
import { testDeclaration, testProvider } from '@ironrun/provider/testing';
import { rejection } from '@ironrun/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { provider } from '../src/index.js';
import { type FakeDoppler, startFakeDoppler } from './fake-doppler.js';

const personalToken = 'dp.pt.fakePersonalToken0123456789abcdef';
const serviceToken = 'dp.st.prd.fakeServiceToken0123456789abc';
const secrets = {
  'backend/prd': {
    STRIPE_KEY: 'sk_live_51HxFakeStripeKey9f8e7d6c',
    DATABASE_URL: 'postgres://app:pa55w0rd-Qz8@db.internal:5432/app',
    PEM_KEY: '-----BEGIN KEY-----\nMIIBfakeKeyLine1\nfakeKeyLine2==\n-----END KEY-----\n',
    QUOTED: 'va"lue\\with\ttabs & ampersands=',
  },
  'backend/dev': { STRIPE_KEY: 'sk_test_51HxFakeDevKey1a2b3c4d' },
  'web/prd': { SENTRY_DSN: 'https://fakedsn0123@sentry.example/42' },
};
const allValues = Object.values(secrets).flatMap((config) => Object.values(config));

let fake: FakeDoppler;
let stalled: FakeDoppler;

beforeAll(async () => {
  const tokens = { [personalToken]: {}, [serviceToken]: { scope: 'backend/prd' } };
  fake = await startFakeDoppler({ configs: secrets, tokens });
  stalled = await startFakeDoppler({ configs: secrets, tokens });
  stalled.mode = { kind: 'hang' };
});
afterAll(async () => {
  await fake.close();
  await stalled.close();
});
afterEach(() => {
  fake.mode = { kind: 'normal' };
  fake.requests.length = 0;
  vi.restoreAllMocks();
});

function context(env: Record<string, string | undefined>, timeoutMs = 5000): ProviderContext {
  return {
    projectDir: '/nonexistent/project',
    env,
    configDir: '/nonexistent/config',
    timeoutMs,
    // This provider reads no path; the project does not exist.
    isInsideProject: () => false,
  };
}

function create(
  raw: Record<string, unknown>,
  env: Record<string, string | undefined> = { DOPPLER_TOKEN: personalToken },
  timeoutMs = 5000,
) {
  return provider.create(
    provider.parseOptions({ api_url: fake.url, ...raw }),
    context(env, timeoutMs),
  );
}

const failure = (promise: Promise<unknown>) => rejection(promise, isProviderError);

function expectNoSecretIn(error: ProviderError) {
  const texts = [error.message, String(error.stack), JSON.stringify(error)];
  for (const text of texts) {
    expect(text).not.toContain(personalToken);
    expect(text).not.toContain(serviceToken);
    for (const value of allValues) expect(text).not.toContain(value);
  }
}

const signal = () => new AbortController().signal;

testDeclaration({
  manifest,
  definition: provider,
  valid: ['doppler://STRIPE_KEY', 'doppler://shop/prd/STRIPE_KEY'],
  invalid: ['doppler://lower', 'doppler://a/STRIPE_KEY', 'doppler://'],
});

testProvider({
  name: 'doppler (real SDK against a fake Doppler API)',
  definition: provider as never,
  create: () => create({ project: 'backend', config: 'prd' }),
  slow: () =>
    provider.create(
      provider.parseOptions({ api_url: stalled.url, project: 'backend', config: 'prd' }),
      context({ DOPPLER_TOKEN: personalToken }, 60_000),
    ),
  failing: () => create({ project: 'backend', config: 'prd' }, { DOPPLER_TOKEN: 'dp.pt.revoked' }),
  fixtures: {
    found: {
      'doppler://STRIPE_KEY': secrets['backend/prd'].STRIPE_KEY,
      'doppler://DATABASE_URL': secrets['backend/prd'].DATABASE_URL,
      'doppler://PEM_KEY': secrets['backend/prd'].PEM_KEY,
      'doppler://QUOTED': secrets['backend/prd'].QUOTED,
      'doppler://backend/dev/STRIPE_KEY': secrets['backend/dev'].STRIPE_KEY,
      'doppler://web/prd/SENTRY_DSN': secrets['web/prd'].SENTRY_DSN,
    },
    missing: ['doppler://NOPE', 'doppler://web/prd/STRIPE_KEY', 'doppler://backend/dev/OTHER'],
    invalid: [
      'doppler://lower_case',
      'doppler://A,B',
      'doppler://backend/prd',
      'doppler://backend/prd&config=dev/X/KEY',
      'doppler://',
    ],
  },
  invalidOptions: [
    { project: 'backend', bogus: true },
    { token_env: 'NOT-A-VAR' },
    { api_url: 'http://api.doppler.com' },
    { api_url: 'https://user:pass@api.doppler.com' },
    { project: 'a&config=b' },
    { project: 42 },
  ],
});

describe('provider (doppler)', () => {
  it('refuses resolve() after dispose() with CONFIG, and makes no request', async () => {
    const instance = await create({ project: 'backend', config: 'prd' });
    await instance.dispose!();
    const error = await failure(instance.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe('doppler: resolve() was called after dispose()');
    expect(error.refs).toEqual(['doppler://STRIPE_KEY']);
    expect(fake.requests).toHaveLength(0);
  });

  it('downloads all references of one config with a single SDK request', async () => {
    const doppler = await create({ project: 'backend', config: 'prd' });
    const results = await doppler.resolve(
      ['doppler://STRIPE_KEY', 'doppler://DATABASE_URL', 'doppler://STRIPE_KEY', 'doppler://NOPE'],
      { signal: signal() },
    );
    expect(results.map((result) => result.found)).toEqual([true, true, true, false]);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({
      method: 'GET',
      path: '/v3/configs/config/secrets/download',
      authorization: `Bearer ${personalToken}`,
      query: {
        project: 'backend',
        config: 'prd',
        format: 'json',
        secrets: 'STRIPE_KEY,DATABASE_URL,NOPE',
      },
    });
    expect(request?.userAgent).toContain('ironrun');
  });

  it('makes one download per project/config and none for an empty batch', async () => {
    const doppler = await create({ project: 'backend', config: 'prd' });
    expect(await doppler.resolve([], { signal: signal() })).toEqual([]);
    expect(fake.requests).toHaveLength(0);
    await doppler.resolve(
      [
        'doppler://STRIPE_KEY',
        'doppler://web/prd/SENTRY_DSN',
        'doppler://backend/dev/STRIPE_KEY',
        'doppler://PEM_KEY',
      ],
      { signal: signal() },
    );
    const scopes = fake.requests.map(
      (request) => `${request.query.project}/${request.query.config}`,
    );
    expect(scopes.sort()).toEqual(['backend/dev', 'backend/prd', 'web/prd']);
    const prd = fake.requests.find(
      (request) => request.query.project === 'backend' && request.query.config === 'prd',
    );
    expect(prd?.query.secrets).toBe('STRIPE_KEY,PEM_KEY');
  });

  it('lets a service token pick its own project and config when the options name none', async () => {
    const doppler = await create({}, { DOPPLER_TOKEN: serviceToken });
    const [result] = await doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() });
    expect(result).toEqual({
      ref: 'doppler://STRIPE_KEY',
      found: true,
      value: secrets['backend/prd'].STRIPE_KEY,
    });
    expect(fake.requests[0]?.query).toEqual({ format: 'json', secrets: 'STRIPE_KEY' });
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${serviceToken}`);
  });

  it('reads the token from the variable named by token_env', async () => {
    const doppler = await create(
      { project: 'backend', config: 'prd', token_env: 'IRONRUN_DOPPLER' },
      { IRONRUN_DOPPLER: `  ${personalToken}\n`, DOPPLER_TOKEN: 'dp.pt.ignored' },
    );
    await doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() });
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${personalToken}`);
  });

  it('refuses to start without a token, naming the variable and where it belongs', async () => {
    const error = await failure(
      Promise.resolve().then(() => create({ project: 'backend', config: 'prd' }, {})),
    );
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('DOPPLER_TOKEN');
    expect(error.message).toContain("never put it in the agent's environment");
  });

  it('refuses a token holding a newline in the middle (header injection)', async () => {
    const error = await failure(
      Promise.resolve().then(() =>
        create(
          { project: 'backend', config: 'prd' },
          { DOPPLER_TOKEN: `${personalToken}\r\nX-Evil: 1` },
        ),
      ),
    );
    expect(error.code).toBe('AUTH');
    expectNoSecretIn(error);
    expect(fake.requests).toHaveLength(0);
  });

  it('maps HTTP 401 to AUTH naming the provider, the variable and the reference', async () => {
    fake.mode = { kind: 'status', status: 401 };
    const doppler = await create({ project: 'backend', config: 'prd' });
    const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error).toMatchObject({
      code: 'AUTH',
      provider: 'doppler',
      refs: ['doppler://STRIPE_KEY'],
    });
    expect(error.message).toContain('doppler://STRIPE_KEY');
    expect(error.message).toContain('DOPPLER_TOKEN');
    expectNoSecretIn(error);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps a service token used outside its scope (HTTP 403) to AUTH', async () => {
    const doppler = await create({}, { DOPPLER_TOKEN: serviceToken });
    const error = await failure(
      doppler.resolve(['doppler://web/prd/SENTRY_DSN'], { signal: signal() }),
    );
    expect(error.code).toBe('AUTH');
    expectNoSecretIn(error);
  });

  it('maps HTTP 404 (unknown config) to NOT_FOUND naming project and config', async () => {
    const doppler = await create({ project: 'backend', config: 'staging' });
    const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain("project 'backend' config 'staging'");
    expect(error.message).toContain('doppler://STRIPE_KEY');
  });

  it('maps HTTP 429 to RATE_LIMIT without retrying', async () => {
    fake.mode = { kind: 'status', status: 429 };
    const doppler = await create({ project: 'backend', config: 'prd' });
    const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error.code).toBe('RATE_LIMIT');
    expectNoSecretIn(error);
    expect(fake.requests).toHaveLength(1);
  });

  it("maps HTTP 500 to NETWORK after the SDK's three attempts", async () => {
    fake.mode = { kind: 'status', status: 500 };
    const doppler = await create({ project: 'backend', config: 'prd' });
    const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain('HTTP 500');
    expect(fake.requests).toHaveLength(3);
  });

  it('maps a refused connection to NETWORK and prints nothing on stdout (the MCP channel)', async () => {
    const log = vi.spyOn(console, 'log');
    const closed = await startFakeDoppler({ configs: {}, tokens: {} });
    await closed.close();
    const doppler = await provider.create(
      provider.parseOptions({ api_url: closed.url, project: 'backend', config: 'prd' }),
      context({ DOPPLER_TOKEN: personalToken }),
    );
    const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain('ECONNREFUSED');
    expect(log).not.toHaveBeenCalled();
  });

  it.each([200, 502] as const)(
    'an HTML page with HTTP %i from a proxy fails closed with NETWORK instead of crashing the process',
    async (status) => {
      fake.mode = { kind: 'html', status };
      const doppler = await create({ project: 'backend', config: 'prd' });
      const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
      expect(error).toMatchObject({ code: 'NETWORK', refs: ['doppler://STRIPE_KEY'] });
    },
  );

  it('fails closed with TIMEOUT naming provider and reference when the API stalls past timeoutMs', async () => {
    const doppler = await provider.create(
      provider.parseOptions({ api_url: stalled.url, project: 'backend', config: 'prd' }),
      context({ DOPPLER_TOKEN: personalToken }, 150),
    );
    const before = stalled.requests.length;
    const error = await failure(doppler.resolve(['doppler://STRIPE_KEY'], { signal: signal() }));
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: 'doppler',
      refs: ['doppler://STRIPE_KEY'],
    });
    expect(error.message).toContain('doppler://STRIPE_KEY');
    expect(error.message).toContain('150 ms');
    expect(stalled.requests.length).toBe(before + 1);
    // The request is canceled, not left hanging on an open socket.
    await expect.poll(() => stalled.abandoned).toBeGreaterThanOrEqual(1);
  });

  it('fails closed through resolveWithTimeout, the way ironrun calls providers', async () => {
    const doppler = await provider.create(
      provider.parseOptions({ api_url: stalled.url, project: 'backend', config: 'prd' }),
      context({ DOPPLER_TOKEN: personalToken }, 60_000),
    );
    const error = await failure(
      resolveWithTimeout(doppler, ['doppler://STRIPE_KEY'], { timeoutMs: 100 }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: 'doppler',
      refs: ['doppler://STRIPE_KEY'],
    });
  });

  it('makes no request at all when a reference in the batch is malformed', async () => {
    const doppler = await create({ project: 'backend', config: 'prd' });
    const error = await failure(
      doppler.resolve(['doppler://STRIPE_KEY', 'doppler://x/y/z/KEY'], { signal: signal() }),
    );
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(fake.requests).toHaveLength(0);
  });

  it('query injection through a reference (project "a&config=dev") is refused before any request', async () => {
    const doppler = await create({ project: 'backend', config: 'prd' });
    for (const ref of [
      'doppler://backend&config=dev/prd/STRIPE_KEY',
      'doppler://backend/prd#/STRIPE_KEY',
      'doppler://STRIPE_KEY&secrets=PEM_KEY',
    ]) {
      const error = await failure(doppler.resolve([ref], { signal: signal() }));
      expect(error.code).toBe('INVALID_REFERENCE');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('token exfiltration through api_url over plain http to a remote host is refused', () => {
    expect(() => provider.parseOptions({ api_url: 'http://attacker.example' })).toThrow(/https/);
  });
});
