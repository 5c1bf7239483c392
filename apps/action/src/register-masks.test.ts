import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { isIronrunError, runSealed } from '@ironrun/core';
import { parsePolicy } from '@ironrun/policy';
import { defineProvider } from '@ironrun/provider';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskValues } from './mask-values.js';
import { registerMasks } from './register-masks.js';

const values = { 'fake://a': 'value-of-a-8d7c6b', 'fake://b': 'value-of-b-5e4f3a' };

const fake = defineProvider({
  name: 'fake',
  schemes: ['fake'],
  parseOptions: (raw) => raw,
  create: () => ({
    name: 'fake',
    resolve: async (refs) =>
      refs.map((ref) => ({ ref, found: true as const, value: values[ref as keyof typeof values] })),
  }),
});

let project: TestDir;

beforeEach(async () => {
  project = await testdir({});
});

afterEach(async () => {
  await project.cleanup();
});

/** Runs a command printing both secrets, with `setSecret` as the runner's masking. */
function runWithMasks(setSecret: (mask: string) => void, onStdout: () => void) {
  const policy = parsePolicy(
    [
      'version: 1',
      'provider: fake',
      'commands:',
      '  - id: print',
      `    argv: [node, -e, "require('fs').writeFileSync('ran.marker', ''); console.log(process.env.A + process.env.B)"]`,
      `    path: ${dirname(process.execPath)}`,
      '    env: { A: "fake://a", B: "fake://b" }',
      '',
    ].join('\n'),
    { filename: project.path('ironrun.yml'), schemes: ['fake'] },
  );
  return runSealed({
    policy,
    commandId: 'print',
    skipTrust: true,
    providers: { fake: async () => ({ provider: fake }) },
    onSecretsResolved: (resolved) => registerMasks(resolved, setSecret),
    onStdout,
  });
}

describe('registerMasks', () => {
  it('registers every mask of every value', () => {
    const masks: string[] = [];
    registerMasks(Object.values(values), (mask) => masks.push(mask));
    expect(masks).toEqual(maskValues(Object.values(values)));
    expect(masks).toEqual(expect.arrayContaining(Object.values(values)));
  });

  it('as the onSecretsResolved hook, masks every resolved value before the command prints anything', async () => {
    const events: string[] = [];
    const result = await runWithMasks(
      (mask) => events.push(`mask ${mask}`),
      () => events.push('stdout'),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('[REDACTED][REDACTED]\n');
    const firstOutput = events.indexOf('stdout');
    expect(firstOutput).toBeGreaterThan(0);
    for (const value of Object.values(values)) {
      const masked = events.indexOf(`mask ${value}`);
      expect(masked).toBeGreaterThanOrEqual(0);
      expect(masked).toBeLessThan(firstOutput);
    }
  });

  it('as the hook, keeps the command from starting when the runner refuses a mask (fails closed)', async () => {
    const error = await runWithMasks(
      () => {
        throw new Error(`could not register ${values['fake://a']}`);
      },
      () => {},
    ).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isIronrunError(error) && error.code).toBe('SECRETS_HOOK');
    expect(String((error as Error).message)).not.toContain(values['fake://a']);
    expect(existsSync(project.path('ran.marker'))).toBe(false);
  });
});
