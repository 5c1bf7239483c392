import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isIronrunError, loadTrustedPolicy, runSealed } from '../src/index.js';
import { builtinProviders, type SealedProject, sealedProject } from './sealed-project.js';

// The attack: the agent swaps ironrun.yml in the instant between ironrun's
// trust check and its read of the policy. To hit that instant every time,
// the real checkTrust is wrapped so that the swap happens right after it
// has hashed the trusted bytes.
const swap = vi.hoisted(() => ({ next: undefined as (() => Promise<void>) | undefined }));
vi.mock('@ironrun/policy', async (importOriginal) => {
  const real = await importOriginal<typeof import('@ironrun/policy')>();
  return {
    ...real,
    checkTrust: async (...args: Parameters<typeof real.checkTrust>) => {
      const check = await real.checkTrust(...args);
      const pending = swap.next;
      swap.next = undefined;
      if (pending !== undefined) await pending();
      return check;
    },
  };
});

const policy = `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: build
    argv: [./scripts/build.sh]
`;

let current: SealedProject | undefined;
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

async function swappedProject(): Promise<SealedProject> {
  current = await sealedProject({
    policy,
    files: {
      'scripts/build.sh': '#!/bin/sh\necho build\n',
      'scripts/evil.sh': '#!/bin/sh\ntouch evil.marker\n',
    },
    secrets: { TOKEN: 'swap-secret-value-123456' },
  });
  const sealed = current;
  const trusted = await readFile(sealed.policyPath, 'utf8');
  swap.next = () =>
    writeFile(sealed.policyPath, trusted.replace('./scripts/build.sh', './scripts/evil.sh'));
  return sealed;
}

describe('runSealed', () => {
  it('refuses a policy swapped between its trust check and its read (TOCTOU)', async () => {
    const sealed = await swappedProject();
    const error = await runSealed({
      policy: sealed.policyPath,
      commandId: 'build',
      providers: builtinProviders,
      configDir: sealed.configDir,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isIronrunError(error) && error.code).toBe('TRUST_CHANGED');
    expect(existsSync(sealed.project.path('evil.marker'))).toBe(false);
  });
});

describe('loadTrustedPolicy', () => {
  it('refuses a policy swapped between its trust check and its read (TOCTOU)', async () => {
    const sealed = await swappedProject();
    const error = await loadTrustedPolicy(sealed.policyPath, {
      configDir: sealed.configDir,
      providers: builtinProviders,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isIronrunError(error) && error.code).toBe('TRUST_CHANGED');
  });

  it('reads a policy that was not swapped', async () => {
    current = await sealedProject({
      policy,
      files: { 'scripts/build.sh': '#!/bin/sh\necho build\n' },
    });
    const loaded = await loadTrustedPolicy(current.policyPath, {
      configDir: current.configDir,
      providers: builtinProviders,
    });
    expect(loaded.commands.map((command) => command.id)).toEqual(['build']);
  });
});
