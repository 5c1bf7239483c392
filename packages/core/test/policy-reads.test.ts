import fs from 'node:fs';
import { realpath } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinProviderReferences } from '@ironrun/test-utils';
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

type Patched = 'open' | 'readFile';

/**
 * Counts the opens and whole-file reads of `target` (by real path) made through
 * `node:fs/promises` and `node:fs` while `body` runs. The built-in module's exports are
 * swapped and re-synced (`syncBuiltinESMExports`) so that ES module imports see the spies.
 */
async function countReads(target: string, body: () => Promise<unknown>): Promise<number> {
  const real = await realpath(target);
  let reads = 0;
  const matches = (path: unknown) => {
    if (typeof path !== 'string' && !(path instanceof URL)) return false;
    const absolute = resolve(path instanceof URL ? fileURLToPath(path) : path);
    return absolute === real || absolute === target;
  };
  const promises = fs.promises as unknown as Record<Patched, (...args: unknown[]) => unknown>;
  const sync = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = {
    open: promises.open,
    readFile: promises.readFile,
    openSync: sync.openSync,
    readFileSync: sync.readFileSync,
  };
  const spy =
    (original: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      if (matches(args[0])) reads += 1;
      return original(...args);
    };
  promises.open = spy(originals.open);
  promises.readFile = spy(originals.readFile);
  sync.openSync = spy(originals.openSync!);
  sync.readFileSync = spy(originals.readFileSync!);
  syncBuiltinESMExports();
  try {
    await body();
  } finally {
    promises.open = originals.open;
    promises.readFile = originals.readFile;
    sync.openSync = originals.openSync!;
    sync.readFileSync = originals.readFileSync!;
    syncBuiltinESMExports();
  }
  return reads;
}

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
