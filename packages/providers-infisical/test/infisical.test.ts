import {
  isProviderError,
  type ProviderContext,
  type ProviderError,
  resolveWithTimeout,
} from '@ironrun/provider';
import { type ProviderFixtures, testDeclaration, testProvider } from '@ironrun/provider/testing';
import { rejection } from '@ironrun/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { provider } from '../src/index.js';
import {
  type FakeInfisical,
  type FakeInfisicalOptions,
  startFakeInfisical,
} from './fake-infisical.js';

const clientId = 'a1b2c3d4-0000-4000-8000-client000001';
const clientSecret = 'f3e2d1c0fakeClientSecretValue9a8b7c6d5e4f';
const staticToken = 'st.fake-infisical-access-token.0123456789';
const projectId = 'proj-6f1e2d3c';
const values = {
  stripe: 'sk_live_51InfisicalFakeStripe0a1b2c',
  database: 'postgres://app:Infis1cal-pw@db.internal:5432/app',
  pem: '-----BEGIN KEY-----\nMIIBinfisicalFake1\nline2==\n-----END KEY-----\n',
  payments: 'sk_live_51PaymentsFolderKey3d4e5f',
  sentry: 'https://imported0123@sentry.example/7',
  shadowed: 'imported-value-that-must-lose-0001',
  personal: 'personal-override-value-7777',
  shared: 'shared-base-value-should-lose-88',
  dev: 'sk_test_51InfisicalDevKey6g7h8i',
  hidden: 'this-value-is-never-sent-3141',
};
const backend: FakeInfisicalOptions = {
  identities: { [clientId]: clientSecret },
  tokens: [staticToken],
  projects: {
    [projectId]: {
      prod: {
        '/': {
          secrets: {
            STRIPE_KEY: values.stripe,
            DATABASE_URL: values.database,
            PEM_KEY: values.pem,
            OVERRIDDEN: [
              { value: values.shared, type: 'shared' },
              { value: values.personal, type: 'personal' },
            ],
            HIDDEN: [{ value: values.hidden, hidden: true }],
          },
          imports: ['prod:/shared'],
        },
        '/payments': { secrets: { STRIPE_KEY: values.payments } },
        '/shared': { secrets: { SENTRY_DSN: values.sentry, STRIPE_KEY: values.shadowed } },
      },
      dev: { '/': { secrets: { STRIPE_KEY: values.dev } } },
    },
  },
};
const credentials = { INFISICAL_CLIENT_ID: clientId, INFISICAL_CLIENT_SECRET: clientSecret };

let fake: FakeInfisical;
let stalled: FakeInfisical;

beforeAll(async () => {
  fake = await startFakeInfisical(backend);
  stalled = await startFakeInfisical(backend);
  stalled.mode = { kind: 'hang' };
});
afterAll(async () => {
  await fake.close();
  await stalled.close();
});
afterEach(() => {
  fake.mode = { kind: 'normal' };
  fake.requests.length = 0;
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
  raw: Record<string, unknown> = {},
  env: Record<string, string | undefined> = credentials,
  timeoutMs = 5000,
  url = fake.url,
) {
  const options = provider.parseOptions({
    site_url: url,
    project_id: projectId,
    environment: 'prod',
    ...raw,
  });
  return provider.create(options, context(env, timeoutMs));
}

const failure = (promise: Promise<unknown>) => rejection(promise, isProviderError);

function texts(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== 'object' || error === null) return [String(error)];
  const { message, stack, cause } = error as {
    message?: unknown;
    stack?: unknown;
    cause?: unknown;
  };
  return [
    String(message),
    String(stack),
    JSON.stringify(error),
    ...(cause === undefined ? [] : texts(cause, depth + 1)),
  ];
}

function expectNoSecretIn(error: ProviderError) {
  for (const text of texts(error)) {
    for (const secret of [clientSecret, staticToken, ...fake.issued, ...Object.values(values)]) {
      expect(text).not.toContain(secret);
    }
  }
}

const signal = () => new AbortController().signal;
const lists = () => fake.requests.filter((request) => request.path === '/api/v3/secrets/raw');
const logins = () =>
  fake.requests.filter((request) => request.path === '/api/v1/auth/universal-auth/login');

const fixtures = {
  found: {
    'infisical://STRIPE_KEY': values.stripe,
    'infisical:///DATABASE_URL': values.database,
    'infisical://PEM_KEY': values.pem,
    'infisical:///payments/STRIPE_KEY': values.payments,
    'infisical://SENTRY_DSN': values.sentry,
    'infisical://STRIPE_KEY?env=dev': values.dev,
  },
  missing: ['infisical://NOPE', 'infisical:///payments/NOPE', 'infisical://HIDDEN'],
  invalid: [
    'infisical://payments/STRIPE_KEY',
    'infisical:///../STRIPE_KEY',
    'infisical://STRIPE KEY',
    'infisical://STRIPE_KEY?env=prod&env=dev',
    'infisical://STRIPE_KEY?secretPath=/other',
    'infisical://',
  ],
} satisfies ProviderFixtures;

testDeclaration({
  manifest,
  definition: provider,
  valid: [...Object.keys(fixtures.found), ...fixtures.missing],
  invalid: fixtures.invalid,
});

testProvider({
  name: 'infisical (real SDK against a fake Infisical API)',
  definition: provider as never,
  create: () => create(),
  slow: () => create({}, credentials, 60_000, stalled.url),
  failing: () =>
    create({}, { INFISICAL_CLIENT_ID: clientId, INFISICAL_CLIENT_SECRET: 'wrong-secret-000' }),
  fixtures,
  invalidOptions: [
    { environment: 'prod', bogus: 1 },
    { path: 'relative' },
    { path: '/a/../b' },
    { site_url: 'http://infisical.example.com' },
    { include_imports: 'yes' },
    { client_secret_env: 'NOT A VAR' },
  ],
});

describe('provider (infisical)', () => {
  it('logs in once with universal auth and lists each folder once for the whole batch', async () => {
    const infisical = await create();
    const results = await infisical.resolve(
      [
        'infisical://STRIPE_KEY',
        'infisical:///payments/STRIPE_KEY',
        'infisical://DATABASE_URL',
        'infisical://STRIPE_KEY',
      ],
      { signal: signal() },
    );
    expect(results.map((result) => (result.found ? result.value : null))).toEqual([
      values.stripe,
      values.payments,
      values.database,
      values.stripe,
    ]);
    expect(logins()).toHaveLength(1);
    expect(logins()[0]).toMatchObject({
      method: 'POST',
      contentType: 'application/json',
      body: { clientId, clientSecret },
    });
    expect(lists()).toHaveLength(2);
    const token = fake.issued.at(-1);
    for (const request of lists()) {
      expect(request.method).toBe('GET');
      expect(request.authorization).toBe(`Bearer ${token}`);
      expect(request.query).toMatchObject({
        workspaceId: projectId,
        environment: 'prod',
        include_imports: 'true',
        expandSecretReferences: 'true',
        viewSecretValue: 'true',
        recursive: 'false',
      });
    }
    expect(
      lists()
        .map((request) => request.query.secretPath)
        .sort(),
    ).toEqual(['/', '/payments']);
  });

  it('uses an access token without a login call, and prefers it over client credentials', async () => {
    const infisical = await create({}, { ...credentials, INFISICAL_TOKEN: staticToken });
    const [result] = await infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() });
    expect(result).toMatchObject({ found: true, value: values.stripe });
    expect(logins()).toHaveLength(0);
    expect(lists()[0]?.authorization).toBe(`Bearer ${staticToken}`);
  });

  it('reads credentials from the variables the options name', async () => {
    const infisical = await create(
      { client_id_env: 'IR_INF_ID', client_secret_env: 'IR_INF_SECRET' },
      { IR_INF_ID: clientId, IR_INF_SECRET: clientSecret },
    );
    await infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() });
    expect(logins()[0]?.body).toEqual({ clientId, clientSecret });
  });

  it('lets a folder secret win over an imported one, and a personal override win over the shared value', async () => {
    const infisical = await create();
    const results = await infisical.resolve(
      ['infisical://STRIPE_KEY', 'infisical://OVERRIDDEN', 'infisical://SENTRY_DSN'],
      {
        signal: signal(),
      },
    );
    expect(results.map((result) => (result.found ? result.value : null))).toEqual([
      values.stripe,
      values.personal,
      values.sentry,
    ]);
  });

  it('does not resolve imported secrets when include_imports is false', async () => {
    const infisical = await create({ include_imports: false });
    const [result] = await infisical.resolve(['infisical://SENTRY_DSN'], { signal: signal() });
    expect(result?.found).toBe(false);
    expect(lists()[0]?.query.include_imports).toBe('false');
  });

  it('reports a secret whose value the identity may not read as not found, with a reason', async () => {
    const infisical = await create();
    const [result] = await infisical.resolve(['infisical://HIDDEN'], { signal: signal() });
    expect(result).toEqual({
      ref: 'infisical://HIDDEN',
      found: false,
      reason: expect.stringContaining('not read its value'),
    });
  });

  it('takes environment and project from the reference query over the options', async () => {
    const infisical = await create({ project_id: undefined, environment: undefined });
    await infisical.resolve([`infisical://STRIPE_KEY?env=dev&project=${projectId}`], {
      signal: signal(),
    });
    expect(lists()[0]?.query).toMatchObject({
      workspaceId: projectId,
      environment: 'dev',
      secretPath: '/',
    });
    const error = await failure(
      infisical.resolve(['infisical://STRIPE_KEY?env=dev'], { signal: signal() }),
    );
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain("'project_id'");
  });

  it('refuses to start without credentials, naming the variables and where they belong', async () => {
    const error = await failure(
      Promise.resolve().then(() => create({}, { INFISICAL_CLIENT_ID: clientId })),
    );
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('INFISICAL_CLIENT_SECRET');
    expect(error.message).toContain('INFISICAL_TOKEN');
    expect(error.message).toContain("never put them in the agent's environment");
  });

  it('maps a refused login (HTTP 401) to AUTH without the client secret anywhere in the error', async () => {
    const infisical = await create(
      {},
      { INFISICAL_CLIENT_ID: clientId, INFISICAL_CLIENT_SECRET: `${clientSecret}x` },
    );
    const error = await failure(
      infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() }),
    );
    expect(error).toMatchObject({
      code: 'AUTH',
      provider: 'infisical',
      refs: ['infisical://STRIPE_KEY'],
    });
    expect(error.message).toContain('INFISICAL_CLIENT_ID');
    for (const text of texts(error)) expect(text).not.toContain(`${clientSecret}x`);
    expect(lists()).toHaveLength(0);
  });

  it('maps an HTTP 401 on the list to AUTH', async () => {
    const infisical = await create({}, { INFISICAL_TOKEN: 'st.revoked-token' });
    const error = await failure(
      infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() }),
    );
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('INFISICAL_TOKEN');
    expectNoSecretIn(error);
  });

  it('maps HTTP 403 to AUTH', async () => {
    fake.mode = { kind: 'status', status: 403 };
    const infisical = await create({}, { INFISICAL_TOKEN: staticToken });
    const error = await failure(
      infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() }),
    );
    expect(error.code).toBe('AUTH');
  });

  it('maps an unknown folder (HTTP 404) to NOT_FOUND naming the folder and the reference', async () => {
    const infisical = await create();
    const error = await failure(
      infisical.resolve(['infisical:///nowhere/KEY'], { signal: signal() }),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain("folder '/nowhere' of environment 'prod'");
    expect(error.message).toContain('infisical:///nowhere/KEY');
    expectNoSecretIn(error);
  });

  it('maps HTTP 500 to NETWORK at once (the SDK does not retry it)', async () => {
    const infisical = await create({}, { INFISICAL_TOKEN: staticToken });
    fake.mode = { kind: 'status', status: 500 };
    const error = await failure(
      infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() }),
    );
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain('HTTP 500');
    expect(lists()).toHaveLength(1);
  });

  it.each([
    [502, 'NETWORK'],
    [200, 'UNKNOWN'],
  ] as const)(
    'an HTML page with HTTP %i from a proxy fails closed with %s',
    async (status, code) => {
      const infisical = await create({}, { INFISICAL_TOKEN: staticToken });
      fake.mode = { kind: 'html', status };
      const error = await failure(
        infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() }),
      );
      expect(error).toMatchObject({ code, refs: ['infisical://STRIPE_KEY'] });
    },
  );

  it("rides out a single HTTP 429 with the SDK's own retry", async () => {
    const infisical = await create({}, { INFISICAL_TOKEN: staticToken });
    fake.mode = { kind: 'status', status: 429, times: 1 };
    const [result] = await infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() });
    expect(result).toMatchObject({ found: true, value: values.stripe });
    expect(lists()).toHaveLength(2);
  });

  it('fails closed with TIMEOUT when rate limiting outlasts timeoutMs', async () => {
    const limited = await startFakeInfisical(backend);
    limited.mode = { kind: 'status', status: 429 };
    try {
      const infisical = await create({}, { INFISICAL_TOKEN: staticToken }, 300, limited.url);
      const error = await failure(
        infisical.resolve(['infisical://STRIPE_KEY'], { signal: signal() }),
      );
      expect(error).toMatchObject({
        code: 'TIMEOUT',
        provider: 'infisical',
        refs: ['infisical://STRIPE_KEY'],
      });
      expect(limited.requests.length).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('fails closed with TIMEOUT naming provider and reference when the API stalls past timeoutMs', async () => {
    const infisical = await create({}, credentials, 150, stalled.url);
    const error = await failure(
      infisical.resolve(['infisical:///payments/STRIPE_KEY'], { signal: signal() }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: 'infisical',
      refs: ['infisical:///payments/STRIPE_KEY'],
    });
    expect(error.message).toContain('infisical:///payments/STRIPE_KEY');
    expect(error.message).toContain('150 ms');
  });

  it('fails closed through resolveWithTimeout, the way ironrun calls providers', async () => {
    const infisical = await create({}, credentials, 60_000, stalled.url);
    const error = await failure(
      resolveWithTimeout(infisical, ['infisical://STRIPE_KEY'], { timeoutMs: 100 }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: 'infisical',
      refs: ['infisical://STRIPE_KEY'],
    });
  });

  it('makes no request at all when a reference in the batch is malformed', async () => {
    const infisical = await create();
    const error = await failure(
      infisical.resolve(['infisical://STRIPE_KEY', 'infisical://a/b'], { signal: signal() }),
    );
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.message).toContain('three slashes');
    expect(fake.requests).toHaveLength(0);
  });

  it('credential exfiltration through site_url over plain http to a remote host is refused', () => {
    expect(() => provider.parseOptions({ site_url: 'http://attacker.example' })).toThrow(/https/);
  });
});
