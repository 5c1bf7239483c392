import { builtinProviderReferences, countFileReads as countReads } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { runSealed } from '../src/index.js';
import { type SealedProject, sealedProject } from './sealed-project.js';

const SECRET = 'count-reads-secret-value-0123456789';

const scripts = {
  'scripts/print.sh': { content: '#!/bin/sh\necho "token is $API_TOKEN"\n', mode: 0o755 },
};

/** A third-party provider package: declared in its package.json, resolving every reference. */
const thirdParty = {
  'node_modules/ironrun-provider-count/package.json': JSON.stringify({
    name: 'ironrun-provider-count',
    type: 'module',
    exports: './index.js',
    ironrun: { schemes: ['count'] },
  }),
  'node_modules/ironrun-provider-count/index.js': `export const provider = {
  name: 'count',
  schemes: ['count'],
  parseOptions: (raw) => raw,
  create: () => ({
    name: 'count',
    resolve: async (refs) => refs.map((ref) => ({ ref, found: true, value: ${JSON.stringify(SECRET)} })),
  }),
};
`,
};

let current: SealedProject | undefined;
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

describe('runSealed', () => {
  it('reads the policy file once per run, for a built-in provider', async () => {
    current = await sealedProject({
      policy:
        'version: 1\nprovider:\n  name: envfile\n  path: {{SECRETS}}\ncommands:\n  - id: print\n' +
        '    argv: [./scripts/print.sh]\n    env:\n      API_TOKEN: envfile://API_TOKEN\n',
      files: scripts,
      secrets: { API_TOKEN: SECRET },
    });
    const sealed = current;
    let stdout = '';
    const reads = await countReads(sealed.policyPath, async () => {
      stdout = (
        await runSealed({
          policy: sealed.policyPath,
          commandId: 'print',
          configDir: sealed.configDir,
        })
      ).stdout;
    });
    expect(stdout).toContain('token is [REDACTED]');
    expect(reads).toBe(1);
  });

  it('reads the policy file once per run, for a third-party provider package', async () => {
    current = await sealedProject({
      policy:
        'version: 1\nprovider: ironrun-provider-count\ncommands:\n  - id: print\n' +
        '    argv: [./scripts/print.sh]\n    env:\n      API_TOKEN: count://api\n',
      files: { ...scripts, ...thirdParty },
      schemes: ['count'],
    });
    const sealed = current;
    let stdout = '';
    const reads = await countReads(sealed.policyPath, async () => {
      stdout = (
        await runSealed({
          policy: sealed.policyPath,
          commandId: 'print',
          configDir: sealed.configDir,
        })
      ).stdout;
    });
    expect(stdout).toContain('token is [REDACTED]');
    expect(reads).toBe(1);
  });

  it('counts a read it is shown (the spy sees the policy package read the file)', async () => {
    current = await sealedProject({
      policy: 'version: 1\nprovider: envfile\ncommands:\n  - id: x\n    argv: [/bin/true]\n',
      trusted: false,
    });
    const sealed = current;
    const { loadPolicy } = await import('@ironrun/policy');
    const reads = await countReads(sealed.policyPath, async () => {
      await loadPolicy(sealed.policyPath, { providers: builtinProviderReferences });
      await loadPolicy(sealed.policyPath, { providers: builtinProviderReferences });
    });
    expect(reads).toBe(2);
  });
});
