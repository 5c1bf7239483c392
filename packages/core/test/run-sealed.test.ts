import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { defineProvider } from '@ironrun/provider';
import { builtinProviderReferences } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { isIronrunError, type RunResult, runSealed } from '../src/index.js';
import {
  builtinProviders,
  errorText,
  type SealedProject,
  sealedProject,
} from './sealed-project.js';

const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;
const OTHER = `pw-${randomBytes(10).toString('hex')}`;

const scripts = {
  'scripts/print.sh':
    '#!/bin/sh\necho "token is $API_TOKEN"\necho "mode is $MODE"\ntouch ran.marker\n',
  'scripts/fail.sh': '#!/bin/sh\necho "about to fail" >&2\nexit 3\n',
  'scripts/forever.sh': '#!/bin/sh\ntouch ran.marker\nexec sleep 30\n',
  'scripts/split.sh':
    '#!/bin/sh\nprintf "before "\nprintf %s "$API_TOKEN" | head -c 11\nsleep 0.3\nprintf %s "$API_TOKEN" | tail -c +12\necho " after"\n',
  'scripts/stderr.sh': '#!/bin/sh\necho "leaking $API_TOKEN to stderr" >&2\n',
  'scripts/base64.sh': '#!/bin/sh\nprintf %s "$API_TOKEN" | base64\n',
  'scripts/flood.sh':
    '#!/bin/sh\necho FIRST-LINE\ni=0\nwhile [ $i -lt 2000 ]; do echo "line $i $API_TOKEN"; i=$((i+1)); done\necho LAST-LINE\n',
};

const policy = `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: print
    description: prints its token
    argv: [./scripts/print.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
      MODE: production
  - id: fail
    argv: [./scripts/fail.sh]
  - id: forever
    argv: [./scripts/forever.sh]
    ttl: 500ms
  - id: split
    argv: [./scripts/split.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: stderr
    argv: [./scripts/stderr.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: base64
    argv: [./scripts/base64.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: missing
    argv: [./scripts/print.sh]
    env:
      API_TOKEN: envfile://NOT_THERE
  - id: guarded
    argv: [./scripts/print.sh]
    confirm: true
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: flood
    argv: [./scripts/flood.sh]
    max_output: 2KiB
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: short
    argv: [./scripts/print.sh]
    env:
      API_TOKEN: envfile://SHORT
`;

let current: SealedProject | undefined;

async function project(options: { trusted?: boolean } = {}): Promise<SealedProject> {
  current = await sealedProject({
    policy,
    files: scripts,
    secrets: { API_TOKEN: SECRET, OTHER, SHORT: 'abc' },
    ...options,
  });
  return current;
}

afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

async function run(
  sealed: SealedProject,
  commandId: string,
  extra: Partial<Parameters<typeof runSealed>[0]> = {},
) {
  return runSealed({
    policy: sealed.policyPath,
    commandId,
    providers: builtinProviders,
    configDir: sealed.configDir,
    ...extra,
  });
}

async function refusal(promise: Promise<RunResult>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isIronrunError(error)).toBe(true);
  expect(errorText(error)).not.toContain(SECRET);
  return error as import('../src/index.js').IronrunError;
}

function expectNoSecret(result: RunResult) {
  const text = JSON.stringify(result);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
}

describe('runSealed', () => {
  it('runs a command with its secret and returns redacted output', async () => {
    const sealed = await project();
    const result = await run(sealed, 'print');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('token is [REDACTED]\nmode is production\n');
    expect(result.redactions).toBe(1);
    expect(result.timedOut).toBe(false);
    expect(result.truncated).toBe(false);
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(true);
    expectNoSecret(result);
  });

  it('returns a non-zero exit as a result, not an error', async () => {
    const sealed = await project();
    const result = await run(sealed, 'fail');
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('about to fail\n');
  });

  it('kills a command that outlives its ttl and says so', async () => {
    const sealed = await project();
    const result = await run(sealed, 'forever');
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
  });

  it('redacts a secret written in two halves with a pause between them', async () => {
    const sealed = await project();
    const chunks: string[] = [];
    const result = await run(sealed, 'split', {
      onStdout: (chunk) => chunks.push(Buffer.from(chunk).toString()),
    });
    expect(result.stdout).toBe('before [REDACTED] after\n');
    expect(chunks.join('')).toBe(result.stdout);
    for (const chunk of chunks) {
      expect(chunk).not.toContain(SECRET.slice(0, 11));
      expect(chunk).not.toContain(SECRET.slice(11));
    }
    expectNoSecret(result);
  });

  it('redacts a secret written to stderr, live and in the result', async () => {
    const sealed = await project();
    const live: string[] = [];
    const result = await run(sealed, 'stderr', {
      onStderr: (chunk) => live.push(Buffer.from(chunk).toString()),
    });
    expect(result.stderr).toBe('leaking [REDACTED] to stderr\n');
    expect(live.join('')).toBe(result.stderr);
    expectNoSecret(result);
  });

  it('redacts the base64 form of a secret', async () => {
    const sealed = await project();
    const result = await run(sealed, 'base64');
    expect(result.stdout).toContain('[REDACTED]');
    expect(result.redactions).toBeGreaterThan(0);
    expectNoSecret(result);
  });

  it('cuts long output in the middle, keeping head and tail, within max_output', async () => {
    const sealed = await project();
    let live = 0;
    const result = await run(sealed, 'flood', { onStdout: (chunk) => (live += chunk.length) });
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith('FIRST-LINE\n')).toBe(true);
    expect(result.stdout.endsWith('LAST-LINE\n')).toBe(true);
    expect(result.stdout).toMatch(/\n…\[ironrun: \d+ bytes cut\]…\n/);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(2048);
    expect(result.stdoutBytes).toBe(live);
    expect(result.redactions).toBe(2000);
    expectNoSecret(result);
  });

  it('hands the resolved values to onSecretsResolved before the command starts', async () => {
    const sealed = await project();
    const seen: string[][] = [];
    const result = await run(sealed, 'print', {
      onSecretsResolved: (values) => {
        seen.push([...values]);
        // The hook runs before the spawn: the command has not run yet.
        expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]?.[0] === SECRET).toBe(true);
    expect(result.exitCode).toBe(0);
    expectNoSecret(result);
  });

  it('does not start the command when onSecretsResolved fails, and does not repeat its message', async () => {
    const sealed = await project();
    const error = await refusal(
      run(sealed, 'print', {
        onSecretsResolved: (values) => {
          throw new Error(`could not mask ${values[0]}`);
        },
      }),
    );
    expect(error.code).toBe('SECRETS_HOOK');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('refuses an untrusted policy and runs nothing', async () => {
    const sealed = await project({ trusted: false });
    const error = await refusal(run(sealed, 'print'));
    expect(error.code).toBe('TRUST_UNTRUSTED');
    expect(error.message).toContain('ironrun trust');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('refuses a policy edited after it was trusted (the agent adds a command)', async () => {
    const sealed = await project();
    const text = await readFile(sealed.policyPath, 'utf8');
    await writeFile(
      sealed.policyPath,
      `${text}  - id: steal\n    argv: [/usr/bin/printenv]\n    env:\n      API_TOKEN: envfile://API_TOKEN\n`,
    );
    const error = await refusal(run(sealed, 'steal'));
    expect(error.code).toBe('TRUST_CHANGED');
    expect(error.message).toContain('ironrun.yml');
    expect(error.message).toContain('ironrun trust');
  });

  it('refuses a pinned script edited after trust (the agent rewrites the script) and names it', async () => {
    const sealed = await project();
    await sealed.project.write({
      'scripts/print.sh': '#!/bin/sh\nprintenv API_TOKEN\ntouch ran.marker\n',
    });
    const error = await refusal(run(sealed, 'print'));
    expect(error.code).toBe('TRUST_CHANGED');
    expect(error.message).toContain('scripts/print.sh');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('fails closed when a secret is missing: names the reference, and the command never starts', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'missing'));
    expect(error.code).toBe('SECRET_MISSING');
    expect(error.message).toContain('envfile://NOT_THERE');
    expect(error.message).toContain('API_TOKEN');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('fails closed when the provider does not answer in time', async () => {
    const sealed = await project();
    let signaled = false;
    const hanging = defineProvider({
      name: 'envfile',
      schemes: ['envfile'],
      parseOptions: (raw) => raw,
      create: () => ({
        name: 'envfile',
        resolve: (_refs, context) =>
          new Promise(() => {
            context.signal.addEventListener('abort', () => (signaled = true));
          }),
      }),
    });
    const error = await refusal(
      run(sealed, 'print', {
        providers: { envfile: async () => ({ provider: hanging }) },
        resolveTimeoutMs: 200,
      }),
    );
    expect(error.code).toBe('PROVIDER');
    expect(error.message).toContain('envfile://API_TOKEN');
    expect(signaled).toBe(true);
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('fails closed when loading the provider or starting it never finishes', async () => {
    const sealed = await project();
    const stuckLoad = await refusal(
      run(sealed, 'print', {
        providers: { envfile: () => new Promise<never>(() => {}) },
        resolveTimeoutMs: 200,
      }),
    );
    expect(stuckLoad.code).toBe('PROVIDER');
    expect(stuckLoad.message).toContain('did not answer within 200 ms');
    const stuckCreate = defineProvider({
      name: 'envfile',
      schemes: ['envfile'],
      parseOptions: (raw) => raw,
      create: () => new Promise<never>(() => {}),
    });
    const error = await refusal(
      run(sealed, 'print', {
        providers: { envfile: async () => ({ provider: stuckCreate }) },
        resolveTimeoutMs: 200,
      }),
    );
    expect(error.code).toBe('PROVIDER');
    expect(error.message).toContain('envfile://API_TOKEN');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('is canceled while the provider loads, and a late failure of the load is not left unhandled', async () => {
    const sealed = await project();
    const controller = new AbortController();
    let failLoad: (error: Error) => void = () => {};
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pending = run(sealed, 'print', {
        providers: {
          envfile: () =>
            new Promise<never>((_, reject) => {
              failLoad = reject;
              controller.abort(new Error('the client went away'));
            }),
        },
        signal: controller.signal,
      });
      const error = await refusal(pending);
      expect(error.code).toBe('CANCELED');
      failLoad(new Error('late failure'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('does not leak a value a provider puts in its own error message', async () => {
    const sealed = await project();
    const leaky = defineProvider({
      name: 'envfile',
      schemes: ['envfile'],
      parseOptions: (raw) => raw,
      create: () => ({
        name: 'envfile',
        resolve: async () => {
          throw new Error(`could not parse line API_TOKEN=${SECRET}`);
        },
      }),
    });
    const error = await refusal(
      run(sealed, 'print', { providers: { envfile: async () => ({ provider: leaky }) } }),
    );
    expect(error.code).toBe('PROVIDER');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('does not leak a value a provider quotes when it fails to start', async () => {
    const sealed = await project();
    const leaky = defineProvider({
      name: 'envfile',
      schemes: ['envfile'],
      parseOptions: (raw) => raw,
      create: () => {
        throw new TypeError(`bad token ${SECRET}`);
      },
    });
    const error = await refusal(
      run(sealed, 'print', { providers: { envfile: async () => ({ provider: leaky }) } }),
    );
    expect(error.code).toBe('PROVIDER');
    expect(error.message).toContain('TypeError');
  });

  it('asks the provider for the references of this command only, then disposes it', async () => {
    const sealed = await project();
    const { provider: envfile } = await import('@ironrun/providers-envfile');
    const asked: string[][] = [];
    let disposed = 0;
    const recording = defineProvider({
      ...envfile,
      create: async (options, context) => {
        const inner = await envfile.create(options as never, context);
        return {
          name: inner.name,
          resolve: (refs, resolveContext) => {
            asked.push([...refs]);
            return inner.resolve(refs, resolveContext);
          },
          dispose: () => {
            disposed += 1;
            return inner.dispose?.();
          },
        };
      },
    });
    const result = await run(sealed, 'print', {
      providers: { envfile: async () => ({ provider: recording }) },
    });
    expect(result.exitCode).toBe(0);
    expect(asked).toEqual([['envfile://API_TOKEN']]);
    expect(disposed).toBe(1);
  });

  it('does not load the provider for a command without secrets', async () => {
    const sealed = await project();
    let loaded = false;
    const result = await run(sealed, 'fail', {
      providers: {
        envfile: async () => {
          loaded = true;
          throw new Error('must not load');
        },
      },
    });
    expect(result.exitCode).toBe(3);
    expect(loaded).toBe(false);
  });

  it('reads a policy whose third-party provider claims its own reference scheme', async () => {
    const vault = defineProvider({
      name: 'vaultish',
      schemes: ['vault'],
      parseOptions: (raw) => raw,
      create: () => ({
        name: 'vaultish',
        resolve: async (refs) => refs.map((ref) => ({ ref, found: true as const, value: SECRET })),
      }),
    });
    current = await sealedProject({
      policy:
        'version: 1\nprovider: vaultish\ncommands:\n  - id: print\n    argv: [./scripts/print.sh]\n' +
        '    env:\n      API_TOKEN: vault://kv/api#token\n',
      files: scripts,
      schemes: ['vault'],
    });
    const result = await run(current, 'print', {
      providers: { vaultish: async () => ({ provider: vault }) },
    });
    expect(result.stdout).toContain('token is [REDACTED]');
    expectNoSecret(result);
  });

  it('refuses a missing policy file with a POLICY error', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'print', { policy: sealed.project.path('nope.yml') }));
    expect(error.code).toBe('POLICY');
  });

  it('refuses a secret too short to redact, naming the variable and never the value', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'short'));
    expect(error.code).toBe('SECRET_TOO_SHORT');
    expect(error.message).toContain('API_TOKEN');
    expect(error.message).not.toMatch(/\babc\b/);
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('does not run a confirm: true command when the person declines', async () => {
    const sealed = await project();
    const asked: unknown[] = [];
    const error = await refusal(
      run(sealed, 'guarded', {
        confirm: async (request) => {
          asked.push(request);
          return false;
        },
      }),
    );
    expect(error.code).toBe('CONFIRM_DECLINED');
    expect(asked).toEqual([
      {
        commandId: 'guarded',
        description: undefined,
        argv: ['./scripts/print.sh'],
        refs: ['envfile://API_TOKEN'],
      },
    ]);
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('does not run a confirm: true command when there is no way to ask', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'guarded'));
    expect(error.code).toBe('CONFIRM_DECLINED');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('runs a confirm: true command once approved', async () => {
    const sealed = await project();
    const result = await run(sealed, 'guarded', { confirm: async () => true });
    expect(result.exitCode).toBe(0);
    expectNoSecret(result);
  });

  it('lists the valid ids when asked for an unknown one', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'deploy'));
    expect(error.code).toBe('UNKNOWN_COMMAND');
    expect(error.message).toContain('print, fail, forever');
  });

  it('rejects extra arguments for a command that declares none', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'print', { args: ['--evil'] }));
    expect(error.code).toBe('ARGS_REJECTED');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('runs nothing when canceled before the start', async () => {
    const sealed = await project();
    const error = await refusal(run(sealed, 'print', { signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELED');
    expect(existsSync(sealed.project.path('ran.marker'))).toBe(false);
  });

  it('kills the command when canceled while it runs', async () => {
    const sealed = await project();
    const controller = new AbortController();
    const pending = run(sealed, 'forever', { signal: controller.signal });
    while (!existsSync(sealed.project.path('ran.marker')))
      await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const result = await pending;
    expect(result.canceled).toBe(true);
    expect(result.timedOut).toBe(false);
  });

  it('reads the policy again on every call (a re-trusted edit takes effect)', async () => {
    const sealed = await project();
    await run(sealed, 'print');
    const text = await readFile(sealed.policyPath, 'utf8');
    await writeFile(sealed.policyPath, text.replace('MODE: production', 'MODE: staging'));
    await refusal(run(sealed, 'print'));
    const { trust } = await import('@ironrun/policy');
    await trust(sealed.policyPath, {
      configDir: sealed.configDir,
      providers: builtinProviderReferences,
    });
    const result = await run(sealed, 'print');
    expect(result.stdout).toContain('mode is staging');
  });
});
