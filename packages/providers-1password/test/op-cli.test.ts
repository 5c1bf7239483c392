import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInsideDirEitherWay } from '@ironrun/policy';
import { isProviderError, type ProviderContext, resolveWithTimeout } from '@ironrun/provider';
import { type ProviderFixtures, testDeclaration, testProvider } from '@ironrun/provider/testing';
import { rejection } from '@ironrun/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { provider } from '../src/index.js';

const binDir = fileURLToPath(new URL('./fixtures/bin', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ironrun-1password-'));
const projectDir = join(work, 'project');
mkdirSync(projectDir);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const values = {
  stripe: 'sk_live_51OnePasswordFakeKey0a1b2c',
  database: 'postgres://app:0nePass-pw@db.internal:5432/app',
  sectioned: 'admin-pagerduty-key-9f8e7d6c5b',
  spaced: 'value with spaces and = & ? # chars',
  pem: '-----BEGIN KEY-----\nMIIBonePasswordFake1\nline2==\n-----END KEY-----\n',
  trailingSpace: 'ends-with-two-spaces  ',
};
const vaults = {
  Production: {
    Stripe: { 'secret key': values.stripe, 'ssh/pem': values.pem },
    Database: { url: values.database, padded: values.trailingSpace },
    PagerDuty: { 'Admin/api-key': values.sectioned },
    'My App.v2': { 'api_token-1': values.spaced },
  },
};

let logs = 0;
function state(extra: Record<string, unknown> = {}): { env: Record<string, string>; log: string } {
  const log = join(work, `op-${logs++}.log`);
  const env = {
    PATH: binDir,
    HOME: work,
    FAKE_OP_NODE: process.execPath,
    FAKE_OP_STATE: JSON.stringify({ vaults, log, ...extra }),
  };
  return { env, log };
}

function invocations(log: string): { args: string[]; pid: number; stdinIsTTY: boolean }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function context(env: Record<string, string | undefined>, timeoutMs = 10_000): ProviderContext {
  return {
    projectDir,
    env,
    configDir: join(work, 'config'),
    timeoutMs,
    isInsideProject: (path) => isInsideDirEitherWay(projectDir, path),
  };
}

function create(
  env: Record<string, string | undefined>,
  raw: Record<string, unknown> = {},
  timeoutMs = 10_000,
) {
  return provider.create(provider.parseOptions(raw), context(env, timeoutMs));
}

const failure = (promise: Promise<unknown>) => rejection(promise, isProviderError);

const signal = () => new AbortController().signal;

const fixtures = {
  found: {
    'op://Production/Stripe/secret key': values.stripe,
    'op://Production/Database/url': values.database,
    'op://Production/PagerDuty/Admin/api-key': values.sectioned,
    'op://Production/My App.v2/api_token-1': values.spaced,
    'op://Production/Stripe/ssh/pem': values.pem,
    'op://Production/Database/padded': values.trailingSpace,
  },
  missing: [
    'op://Production/Stripe/nope',
    'op://Production/Nope/url',
    'op://Staging/Stripe/secret key',
  ],
  invalid: [
    'op://Production/Stripe',
    'op://Production/a/b/c/d',
    'op://Production//url',
    'op://Production/Stripe/$(id)',
    'op://Production/Stripe/key?attribute=otp&x=1',
    'op://-Production/Stripe/url;rm',
  ],
} satisfies ProviderFixtures;

testDeclaration({
  manifest,
  definition: provider,
  valid: [...Object.keys(fixtures.found), ...fixtures.missing],
  invalid: fixtures.invalid,
});

testProvider({
  name: '1password via a fake op CLI',
  definition: provider as never,
  create: () => create(state().env),
  slow: () => create(state({ mode: 'hang' }).env, {}, 60_000),
  failing: () => create(state({ mode: 'signed-out' }).env),
  fixtures,
  invalidOptions: [
    { mode: 'desktop' },
    { op_path: 'bin/op' },
    { account: 'a b' },
    { unknown: true },
  ],
});

describe('provider (1password, op CLI)', () => {
  it('runs `op read --no-newline <ref>` once per distinct reference, without a shell or a TTY', async () => {
    const { env, log } = state();
    const onePassword = await create(env);
    const refs = [
      'op://Production/Stripe/secret key',
      'op://Production/Database/url',
      'op://Production/Stripe/secret key',
    ];
    const results = await onePassword.resolve(refs, { signal: signal() });
    expect(results.map((result) => (result.found ? result.value : null))).toEqual([
      values.stripe,
      values.database,
      values.stripe,
    ]);
    expect(invocations(log).map((run) => run.args)).toEqual([
      ['read', '--no-newline', 'op://Production/Stripe/secret key'],
      ['read', '--no-newline', 'op://Production/Database/url'],
    ]);
    expect(invocations(log).every((run) => !run.stdinIsTTY)).toBe(true);
  });

  it('keeps a value byte for byte: a trailing newline or spaces in the field stay, nothing is added', async () => {
    const onePassword = await create(state().env);
    const [pem, padded] = await onePassword.resolve(
      ['op://Production/Stripe/ssh/pem', 'op://Production/Database/padded'],
      {
        signal: signal(),
      },
    );
    expect(pem).toMatchObject({ found: true, value: values.pem });
    expect(padded).toMatchObject({ found: true, value: values.trailingSpace });
  });

  it('passes --account when the account option is set', async () => {
    const { env, log } = state({ account: 'acme.1password.com' });
    const onePassword = await create(env, { account: 'acme.1password.com' });
    const [result] = await onePassword.resolve(['op://Production/Database/url'], {
      signal: signal(),
    });
    expect(result?.found).toBe(true);
    expect(invocations(log)[0]?.args).toEqual([
      'read',
      '--no-newline',
      '--account',
      'acme.1password.com',
      'op://Production/Database/url',
    ]);
  });

  it("reports a missing vault, item or field as not found with op's reason", async () => {
    const onePassword = await create(state().env);
    const results = await onePassword.resolve(
      ['op://Staging/Stripe/secret key', 'op://Production/Nope/url', 'op://Production/Stripe/nope'],
      { signal: signal() },
    );
    expect(results.map((result) => result.found)).toEqual([false, false, false]);
    expect(results[0]).toMatchObject({
      reason: expect.stringContaining(`"Staging" isn't a vault`),
    });
    expect(results[2]).toMatchObject({
      reason: expect.stringContaining("does not have a field 'nope'"),
    });
  });

  it('maps "not signed in" to AUTH naming the reference and how to sign in', async () => {
    const onePassword = await create(state({ mode: 'signed-out' }).env);
    const error = await failure(
      onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
    );
    expect(error).toMatchObject({
      code: 'AUTH',
      provider: '1password',
      refs: ['op://Production/Stripe/secret key'],
    });
    expect(error.message).toContain('Integrate with 1Password CLI');
    expect(error.message).toContain('You are not currently signed in');
  });

  it('maps a dismissed approval prompt to AUTH', async () => {
    const onePassword = await create(state({ mode: 'dismissed' }).env);
    const error = await failure(
      onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
    );
    expect(error.code).toBe('AUTH');
  });

  it('maps rate limiting to RATE_LIMIT and an unrecognised failure to UNKNOWN', async () => {
    const limited = await create(state({ mode: 'rate-limited' }).env);
    expect(
      (await failure(limited.resolve(['op://Production/Database/url'], { signal: signal() }))).code,
    ).toBe('RATE_LIMIT');
    const crashing = await create(state({ mode: 'crash' }).env);
    const error = await failure(
      crashing.resolve(['op://Production/Database/url'], { signal: signal() }),
    );
    expect(error.code).toBe('UNKNOWN');
    expect(error.message).toContain("op read 'op://Production/Database/url'");
  });

  it('fails closed with TIMEOUT naming provider and reference, and kills op, when the approval never comes', async () => {
    const { env, log } = state({ mode: 'hang' });
    const onePassword = await create(env, {}, 300);
    const error = await failure(
      onePassword.resolve(['op://Production/Stripe/secret key'], { signal: signal() }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: '1password',
      refs: ['op://Production/Stripe/secret key'],
    });
    expect(error.message).toContain('op://Production/Stripe/secret key');
    const [run] = invocations(log);
    expect(run).toBeDefined();
    await expect
      .poll(() => {
        try {
          process.kill(run!.pid, 0);
          return 'alive';
        } catch {
          return 'gone';
        }
      })
      .toBe('gone');
  });

  it('fails closed through resolveWithTimeout, the way ironrun calls providers', async () => {
    const onePassword = await create(state({ mode: 'hang' }).env, {}, 60_000);
    const error = await failure(
      resolveWithTimeout(onePassword, ['op://Production/Database/url'], { timeoutMs: 200 }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: '1password',
      refs: ['op://Production/Database/url'],
    });
  });

  it('an op planted inside the project on PATH is never run', async () => {
    const marker = join(work, 'planted-ran');
    const planted = join(projectDir, 'node_modules', '.bin');
    mkdirSync(planted, { recursive: true });
    writeFileSync(join(planted, 'op'), `#!/bin/sh\necho pwned > '${marker}'\n`, { mode: 0o755 });
    const { env } = state();
    const onePassword = await create({ ...env, PATH: `${planted}:${binDir}` });
    const [result] = await onePassword.resolve(['op://Production/Database/url'], {
      signal: signal(),
    });
    expect(result).toMatchObject({ found: true, value: values.database });
    expect(existsSync(marker)).toBe(false);
  });

  it('an op reached through a relative PATH entry (resolved against the project) is never run', async () => {
    const { env } = state();
    const error = await failure(
      Promise.resolve().then(() => create({ ...env, PATH: 'node_modules/.bin:.' })),
    );
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('not on PATH');
  });

  it('an op_path pointing inside the project is refused', async () => {
    const { env } = state();
    const error = await failure(
      Promise.resolve().then(() =>
        create(env, { op_path: join(projectDir, 'node_modules', '.bin', 'op') }),
      ),
    );
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('inside the project');
  });

  it('uses op_path instead of PATH', async () => {
    const { env, log } = state();
    const onePassword = await create({ ...env, PATH: '' }, { op_path: join(binDir, 'op') });
    await onePassword.resolve(['op://Production/Database/url'], { signal: signal() });
    expect(invocations(log)).toHaveLength(1);
  });

  it('explains how to install op or use a token when op cannot be found', async () => {
    const error = await failure(
      Promise.resolve().then(() => create({ PATH: join(work, 'empty') })),
    );
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('OP_SERVICE_ACCOUNT_TOKEN');
    expect(error.message).toContain('op_path');
  });

  it('validates every reference before running op at all', async () => {
    const { env, log } = state();
    const onePassword = await create(env);
    const error = await failure(
      onePassword.resolve(
        ['op://Production/Database/url', 'op://Production/Database/url --out-file=/tmp/x'],
        {
          signal: signal(),
        },
      ),
    );
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(invocations(log)).toHaveLength(0);
  });
});
