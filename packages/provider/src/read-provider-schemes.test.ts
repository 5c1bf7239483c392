import { existsSync } from 'node:fs';
import { testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from './provider-error.js';
import { readProviderSchemes } from './read-provider-schemes.js';

/** An entry that leaves a marker beside itself when imported, and would then throw. */
const markingEntry = `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./imported.marker', import.meta.url), '');
throw new Error('imported');
`;

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected readProviderSchemes to reject');
    },
    (caught: unknown) => caught,
  );
  expect(isProviderError(error)).toBe(true);
  expect((error as ProviderError).code).toBe('LOAD');
  return error as ProviderError;
}

describe('readProviderSchemes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function installed(manifest: unknown) {
    const dir = await testdir({
      'node_modules/ironrun-provider-x/package.json':
        typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
      'node_modules/ironrun-provider-x/index.js': markingEntry,
    });
    cleanups.push(dir.cleanup);
    return dir;
  }
  const marker = 'node_modules/ironrun-provider-x/imported.marker';

  it('returns the schemes the package.json declares, without importing the package', async () => {
    const dir = await installed({
      name: 'ironrun-provider-x',
      type: 'module',
      exports: './index.js',
      ironrun: { schemes: ['vault', 'kv2'] },
    });
    expect(await readProviderSchemes('ironrun-provider-x', { projectDir: dir.dir })).toEqual([
      'vault',
      'kv2',
    ]);
    expect(existsSync(dir.path(marker)), 'the package was imported').toBe(false);
  });

  it('finds a scoped package in a parent folder’s node_modules, as loadProvider does', async () => {
    const dir = await testdir({
      'node_modules/@acme/ironrun-provider-y/package.json': JSON.stringify({
        exports: './index.js',
        ironrun: { schemes: ['y'] },
      }),
      'node_modules/@acme/ironrun-provider-y/index.js': markingEntry,
      'app/ironrun.yml': '',
    });
    cleanups.push(dir.cleanup);
    expect(
      await readProviderSchemes('@acme/ironrun-provider-y', { projectDir: dir.path('app') }),
    ).toEqual(['y']);
  });

  it('refuses a package that does not declare its schemes, saying what to add', async () => {
    const dir = await installed({ type: 'module', exports: './index.js' });
    const error = await failure(readProviderSchemes('ironrun-provider-x', { projectDir: dir.dir }));
    expect(error.message).toContain('does not declare its reference schemes');
    expect(error.message).toContain('"ironrun": { "schemes": ["<scheme>"] }');
    expect(error.provider).toBe('ironrun-provider-x');
    expect(existsSync(dir.path(marker))).toBe(false);
  });

  it.each([
    ['an "ironrun" field that is not an object', ['x'], 'not an object'],
    ['an "ironrun" field without schemes', {}, 'without "schemes"'],
    ['schemes that are a string', { schemes: 'x' }, 'not a list'],
    ['an empty list of schemes', { schemes: [] }, 'not a list'],
    ['a scheme written with ://', { schemes: ['x://'] }, '"x://"'],
    ['an upper-case scheme', { schemes: ['Vault'] }, '"Vault"'],
    ['a scheme that is a number', { schemes: [7] }, 'number'],
    ['an empty scheme name', { schemes: [''] }, 'not a scheme name'],
    ['a scheme name over 64 characters', { schemes: ['a'.repeat(65)] }, 'not a scheme name'],
    ['a scheme declared twice', { schemes: ['x', 'x'] }, 'twice'],
    [
      'too many schemes',
      { schemes: Array.from({ length: 65 }, (_, i) => `s${i}`) },
      'not a list of 1 to 64',
    ],
  ])('refuses %s', async (_, field, expected) => {
    const dir = await installed({ exports: './index.js', ironrun: field });
    const error = await failure(readProviderSchemes('ironrun-provider-x', { projectDir: dir.dir }));
    expect(error.message).toContain(expected);
    expect(error.message).toContain('package.json');
    expect(existsSync(dir.path(marker))).toBe(false);
  });

  it('refuses a package.json that is not an object', async () => {
    const dir = await testdir({
      'node_modules/ironrun-provider-x/package.json': '["./index.js"]',
      'node_modules/ironrun-provider-x/index.js': markingEntry,
    });
    cleanups.push(dir.cleanup);
    await failure(readProviderSchemes('ironrun-provider-x', { projectDir: dir.dir }));
  });

  it('refuses a package that is not installed, with the install command', async () => {
    const dir = await testdir({});
    cleanups.push(dir.cleanup);
    const error = await failure(readProviderSchemes('ironrun-provider-x', { projectDir: dir.dir }));
    expect(error.message).toContain('npm install --save-dev ironrun-provider-x');
  });

  it('refuses a name that is not a provider package name', async () => {
    await failure(readProviderSchemes('../ironrun-provider-x', { projectDir: '/nowhere' }));
  });
});
