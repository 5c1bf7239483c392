import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { defineProvider } from '@ironrun/provider';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { isIronrunError } from './ironrun-error.js';
import { loadTrustedPolicy } from './load-trusted-policy.js';
import {
  readPolicyWithProviderSchemes,
  validatePolicyWithProviderSchemes,
} from './read-policy-with-provider-schemes.js';

/** A third-party provider package claiming `fake://`, which leaves a marker when its code runs. */
const fakePackage = {
  'node_modules/ironrun-provider-fake/package.json': JSON.stringify({
    name: 'ironrun-provider-fake',
    type: 'module',
    exports: './index.js',
    ironrun: { schemes: ['fake'] },
  }),
  'node_modules/ironrun-provider-fake/index.js': `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./loaded.marker', import.meta.url), '');
export const provider = {
  name: 'ironrun-provider-fake', schemes: ['fake'], parseOptions: (raw) => raw,
  create: () => ({ name: 'fake', resolve: async (refs) => refs.map((ref) => ({ ref, found: false })) }),
};
`,
};

function fakePolicy(env: string, extra = ''): string {
  return `version: 1\nprovider: ironrun-provider-fake\ncommands:\n  - id: x\n    argv: [/bin/true]\n${extra}    env:\n${env}`;
}

const neverLoad = {
  envfile: async () => {
    throw new Error('must not be loaded');
  },
};

let project: TestDir;

afterEach(async () => {
  await project?.cleanup();
});

function loaded(): boolean {
  return existsSync(project.path('node_modules/ironrun-provider-fake/loaded.marker'));
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isIronrunError(error)) throw new Error(`expected an IronrunError, got ${String(error)}`);
  return error;
}

describe('validatePolicyWithProviderSchemes', () => {
  it('reads a built-in provider policy without loading any provider', async () => {
    project = await testdir({
      'ironrun.yml':
        'version: 1\nprovider: envfile\ncommands:\n  - id: x\n    argv: [/bin/true]\n    env:\n      A: envfile://A\n',
    });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'), {
      providers: neverLoad,
    });
    expect(result.issues).toEqual([]);
    expect(result.schemes).toEqual([]);
    expect(result.policy?.provider.name).toBe('envfile');
  });

  it("learns a third-party package's schemes from its package.json in the project's node_modules, without running its code", async () => {
    project = await testdir({ ...fakePackage, 'ironrun.yml': fakePolicy('      A: fake://a\n') });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'), {
      providers: neverLoad,
    });
    expect(result.issues).toEqual([]);
    expect(result.schemes).toEqual(['fake']);
    expect(result.policy?.commands[0]?.env.A).toEqual({
      kind: 'secret',
      ref: 'fake://a',
      scheme: 'fake',
    });
    expect(loaded(), 'the provider package was imported').toBe(false);
  });

  it('attack: an agent-edited provider package does not run when its untrusted policy is checked', async () => {
    project = await testdir({
      ...fakePackage,
      'node_modules/ironrun-provider-fake/index.js': `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./loaded.marker', import.meta.url), String(process.env.VAULT_TOKEN));
export const provider = { name: 'fake', schemes: ['other'], parseOptions: (raw) => raw, create: () => ({}) };
`,
      'ironrun.yml': fakePolicy('      A: fake://a\n'),
    });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(result.issues).toEqual([]);
    expect(result.schemes).toEqual(['fake']);
    expect(loaded()).toBe(false);
    await readPolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(loaded()).toBe(false);
  });

  it('refuses with PROVIDER, saying what to declare, a package whose package.json does not declare its schemes', async () => {
    project = await testdir({
      ...fakePackage,
      'node_modules/ironrun-provider-fake/package.json': JSON.stringify({
        name: 'ironrun-provider-fake',
        type: 'module',
        exports: './index.js',
      }),
      'ironrun.yml': fakePolicy('      A: fake://a\n'),
    });
    const error = await refusal(validatePolicyWithProviderSchemes(project.path('ironrun.yml')));
    expect(error.code).toBe('PROVIDER');
    expect(error.message).toContain('"ironrun": { "schemes"');
    expect(loaded()).toBe(false);
  });

  it('reads a policy using no scheme of its own even when its provider declares none', async () => {
    project = await testdir({
      ...fakePackage,
      'node_modules/ironrun-provider-fake/package.json': JSON.stringify({
        exports: './index.js',
        ironrun: { schemes: 'fake' },
      }),
      'ironrun.yml': fakePolicy('      A: envfile://A\n'),
    });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(result.issues).toEqual([]);
    expect(result.schemes).toEqual([]);
    expect(loaded()).toBe(false);
  });

  it('reports the real problems of an invalid third-party policy, not its references', async () => {
    project = await testdir({
      ...fakePackage,
      'ironrun.yml': fakePolicy('      A: fake://a\n', '    ttll: 5s\n'),
    });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(result.policy).toBeUndefined();
    expect(result.issues.map((issue) => issue.code)).toEqual(['UNKNOWN_KEY']);
    expect(result.issues[0]?.line).toBe(6);
    expect(result.schemes).toEqual(['fake']);
    expect(result.error?.code).toBe('POLICY');
    expect(result.error?.message).toMatch(/ironrun\.yml:6:5/);
  });

  it("rejects a third-party reference missing its '//' instead of passing it as a literal", async () => {
    project = await testdir({ ...fakePackage, 'ironrun.yml': fakePolicy('      A: fake:a\n') });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(result.issues.map((issue) => issue.code)).toEqual(['INVALID_REFERENCE']);
  });

  it('still reports a scheme that no provider claims', async () => {
    project = await testdir({ ...fakePackage, 'ironrun.yml': fakePolicy('      A: faek://a\n') });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(result.issues.map((issue) => issue.code)).toEqual(['UNKNOWN_SCHEME']);
    expect(result.issues[0]?.message).toContain('did you mean "fake://"');
  });

  it('asks a built-in provider for its schemes only when the policy uses one it does not know', async () => {
    const vaultish = defineProvider({
      name: 'vaultish',
      schemes: ['vault'],
      parseOptions: (raw) => raw,
      create: () => ({ name: 'vaultish', resolve: async () => [] }),
    });
    let loads = 0;
    const providers = {
      vaultish: async () => {
        loads += 1;
        return { provider: vaultish };
      },
    };
    const policy = (value: string) =>
      `version: 1\nprovider: vaultish\ncommands:\n  - id: x\n    argv: [/bin/true]\n    env:\n      A: ${value}\n`;
    project = await testdir({ 'ironrun.yml': policy('plain') });
    const plain = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'), {
      providers,
    });
    expect(plain.schemes).toEqual([]);
    expect(loads).toBe(0);
    await project.write({ 'ironrun.yml': policy('vault://kv/a') });
    const vault = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'), {
      providers,
    });
    expect(vault.issues).toEqual([]);
    expect(vault.schemes).toEqual(['vault']);
    expect(loads).toBe(1);
  });

  it('says a third-party provider is not installed when only it could claim a scheme', async () => {
    project = await testdir({ 'ironrun.yml': fakePolicy('      A: fake://a\n') });
    const error = await refusal(validatePolicyWithProviderSchemes(project.path('ironrun.yml')));
    expect(error.code).toBe('PROVIDER');
    expect(error.message).toContain("'ironrun-provider-fake' is not installed");
  });

  it('reads a third-party policy whose provider is not installed when it uses no scheme of its own', async () => {
    project = await testdir({ 'ironrun.yml': fakePolicy('      A: envfile://A\n') });
    const result = await validatePolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(result.issues).toEqual([]);
    expect(result.schemes).toEqual([]);
    expect(result.policy?.provider.name).toBe('ironrun-provider-fake');
  });

  it('refuses a file it cannot read with POLICY', async () => {
    project = await testdir({});
    const error = await refusal(validatePolicyWithProviderSchemes(project.path('nope.yml')));
    expect(error.code).toBe('POLICY');
    expect(error.message).toContain('no such file');
  });
});

describe('readPolicyWithProviderSchemes', () => {
  it('returns the policy of a third-party provider claiming its own scheme', async () => {
    project = await testdir({ ...fakePackage, 'ironrun.yml': fakePolicy('      A: fake://a\n') });
    const policy = await readPolicyWithProviderSchemes(project.path('ironrun.yml'));
    expect(policy.provider.name).toBe('ironrun-provider-fake');
    expect(policy.path).toBe(project.path('ironrun.yml'));
  });

  it('throws POLICY naming file, line and column of every problem', async () => {
    project = await testdir({
      ...fakePackage,
      'ironrun.yml': fakePolicy('      A: fake://a\n', '    ttll: 5s\n'),
    });
    const error = await refusal(readPolicyWithProviderSchemes(project.path('ironrun.yml')));
    expect(error.code).toBe('POLICY');
    expect(error.message).toMatch(/ironrun\.yml:6:5/);
    expect(error.message).not.toMatch(/UNKNOWN_SCHEME|no provider claims/);
  });
});

describe('loadTrustedPolicy', () => {
  it("does not run an untrusted policy's provider package (provider code from the agent)", async () => {
    project = await testdir({ ...fakePackage, 'ironrun.yml': fakePolicy('      A: fake://a\n') });
    const configDir = await mkdtemp(join(tmpdir(), 'ironrun-config-'));
    try {
      const error = await refusal(loadTrustedPolicy(project.path('ironrun.yml'), { configDir }));
      expect(error.code).toBe('TRUST_UNTRUSTED');
      expect(loaded()).toBe(false);
      await trust(project.path('ironrun.yml'), { configDir, schemes: ['fake'] });
      const policy = await loadTrustedPolicy(project.path('ironrun.yml'), { configDir });
      expect(policy.commands[0]?.env.A).toMatchObject({ scheme: 'fake' });
      // Even trusted, reading the policy takes the schemes from the package.json; the
      // provider's code runs only when a command resolves its secrets.
      expect(loaded()).toBe(false);
    } finally {
      await rm(configDir, { recursive: true, force: true });
    }
  });
});
