import { existsSync } from 'node:fs';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { loadProvider } from './load-provider.js';
import { isProviderError, type ProviderError } from './provider-error.js';

const definitionSource = (name: string) => `
export const provider = {
  name: '${name}',
  schemes: ['${name}'],
  parseOptions: (raw) => raw,
  create: () => ({ name: '${name}', resolve: async (refs) => refs.map((ref) => ({ ref, found: false })) }),
};
`;

async function loadFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected loadProvider to reject');
    },
    (caught: unknown) => caught,
  );
  expect(isProviderError(error)).toBe(true);
  expect((error as ProviderError).code).toBe('LOAD');
  return error as ProviderError;
}

describe('loadProvider', () => {
  const project = useTestdir();

  it('loads a built-in provider through its loader', async () => {
    const definition = await loadProvider('envfile', {
      projectDir: '/nowhere',
      builtins: {
        envfile: async () => ({
          provider: {
            name: 'envfile',
            schemes: ['envfile'],
            parseOptions: () => ({}),
            create: () => ({}),
          },
        }),
      },
    });
    expect(definition.name).toBe('envfile');
  });

  it('does not treat Object.prototype members as built-ins', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      await loadFailure(loadProvider(name, { projectDir: '/nowhere', builtins: {} }));
    }
  });

  it('reports a built-in whose import fails', async () => {
    const error = await loadFailure(
      loadProvider('doppler', {
        projectDir: '/nowhere',
        builtins: {
          doppler: async () => {
            throw Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' });
          },
        },
      }),
    );
    expect(error.message).toContain('ERR_MODULE_NOT_FOUND');
  });

  it('loads an ESM provider package with an import-only exports map from the project node_modules', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-esm/package.json': JSON.stringify({
        name: 'ironrun-provider-esm',
        type: 'module',
        ironrun: { schemes: ['esm'] },
        exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      }),
      'node_modules/ironrun-provider-esm/dist/index.js': definitionSource('esm'),
    });
    const definition = await loadProvider('ironrun-provider-esm', { projectDir: dir.dir });
    expect(definition.name).toBe('esm');
    expect(definition.schemes).toEqual(['esm']);
  });

  it('loads a scoped provider package', async () => {
    const dir = await project({
      'node_modules/@acme/ironrun-provider-x/package.json':
        '{"type":"module","exports":"./index.js","ironrun":{"schemes":["x"]}}',
      'node_modules/@acme/ironrun-provider-x/index.js': definitionSource('x'),
    });
    expect((await loadProvider('@acme/ironrun-provider-x', { projectDir: dir.dir })).name).toBe(
      'x',
    );
  });

  it('loads a CommonJS provider package through its named export', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-cjs/package.json':
        '{"main":"index.js","ironrun":{"schemes":["cjs"]}}',
      'node_modules/ironrun-provider-cjs/index.js': `exports.provider = { name: 'cjs', schemes: ['cjs'], parseOptions: (r) => r, create: () => ({}) };`,
    });
    expect((await loadProvider('ironrun-provider-cjs', { projectDir: dir.dir })).name).toBe('cjs');
  });

  it('says how to install a provider package that is not installed', async () => {
    const dir = await project({});
    const error = await loadFailure(
      loadProvider('ironrun-provider-vault', { projectDir: dir.dir }),
    );
    expect(error.message).toContain('not installed');
    expect(error.message).toContain('npm install --save-dev ironrun-provider-vault');
  });

  it.each([
    ['a parent-directory path', '../../evil'],
    ['an absolute path', '/tmp/evil.js'],
    ['a relative path', './ironrun-provider-x'],
    ['a deep import into a provider package', 'ironrun-provider-x/../../evil.js'],
    ['a data URL', 'data:text/javascript,export const provider = 1'],
    ['a package outside the naming convention', 'child_process'],
  ])('path traversal: refuses %s as a provider name', async (_, name) => {
    const error = await loadFailure(
      loadProvider(name, { projectDir: '/tmp', builtins: { envfile: async () => ({}) } }),
    );
    expect(error.message).toContain('built-in providers are envfile');
    expect(error.message).toContain('ironrun-provider-<name>');
  });

  it('explains that the definition must be the named export provider', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-def/package.json':
        '{"type":"module","exports":"./index.js","ironrun":{"schemes":["def"]}}',
      'node_modules/ironrun-provider-def/index.js': `export default { name: 'def', schemes: ['def'], parseOptions: (r) => r, create: () => ({}) };`,
    });
    const error = await loadFailure(loadProvider('ironrun-provider-def', { projectDir: dir.dir }));
    expect(error.message).toContain("no export named 'provider'");
    expect(error.message).toContain('default export');
  });

  it.each([
    ['no name', `{ schemes: ['a'], parseOptions() {}, create() {} }`, 'provider.name'],
    [
      'no schemes',
      `{ name: 'a', schemes: [], parseOptions() {}, create() {} }`,
      'provider.schemes',
    ],
    [
      'a scheme with ://',
      `{ name: 'a', schemes: ['a://'], parseOptions() {}, create() {} }`,
      'provider.schemes',
    ],
    ['no parseOptions', `{ name: 'a', schemes: ['a'], create() {} }`, 'provider.parseOptions'],
    ['no create', `{ name: 'a', schemes: ['a'], parseOptions() {} }`, 'provider.create'],
    ['a non-object', `42`, 'not an object'],
  ])('refuses a definition with %s', async (_, source, what) => {
    const dir = await project({
      'node_modules/ironrun-provider-bad/package.json':
        '{"type":"module","exports":"./index.js","ironrun":{"schemes":["a"]}}',
      'node_modules/ironrun-provider-bad/index.js': `export const provider = ${source};`,
    });
    const error = await loadFailure(loadProvider('ironrun-provider-bad', { projectDir: dir.dir }));
    expect(error.message).toContain(what);
  });

  it('reports a package whose import throws, keeping the cause', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-throws/package.json':
        '{"type":"module","exports":"./index.js","ironrun":{"schemes":["throws"]}}',
      'node_modules/ironrun-provider-throws/index.js': `throw new RangeError('top-level failure');`,
    });
    const error = await loadFailure(
      loadProvider('ironrun-provider-throws', { projectDir: dir.dir }),
    );
    expect(error.message).toContain('RangeError');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a package whose entry file is missing', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-unbuilt/package.json': '{"exports":"./dist/index.js"}',
    });
    const error = await loadFailure(
      loadProvider('ironrun-provider-unbuilt', { projectDir: dir.dir }),
    );
    expect(error.message).toContain('build or reinstall');
  });

  it.each([
    ['claims a scheme it does not declare', ['x'], `['x', 'vault']`],
    ['claims fewer schemes than it declares', ['x', 'vault'], `['x']`],
    ['claims other schemes than it declares', ['x'], `['vault']`],
  ])(
    'refuses a package that %s, as a lying declaration would let unchecked references run',
    async (_, declared, claimed) => {
      const dir = await project({
        'node_modules/ironrun-provider-liar/package.json': JSON.stringify({
          type: 'module',
          exports: './index.js',
          ironrun: { schemes: declared },
        }),
        'node_modules/ironrun-provider-liar/index.js': `export const provider = { name: 'liar', schemes: ${claimed}, parseOptions: (r) => r, create: () => ({}) };`,
      });
      const error = await loadFailure(
        loadProvider('ironrun-provider-liar', { projectDir: dir.dir }),
      );
      expect(error.message).toContain('ironrun.schemes');
      expect(error.message).toContain(`[${declared.join(', ')}]`);
      expect(error.provider).toBe('ironrun-provider-liar');
    },
  );

  it('accepts the declared schemes in another order than the definition lists them', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-two/package.json': JSON.stringify({
        type: 'module',
        exports: './index.js',
        ironrun: { schemes: ['b', 'a'] },
      }),
      'node_modules/ironrun-provider-two/index.js': `export const provider = { name: 'two', schemes: ['a', 'b'], parseOptions: (r) => r, create: () => ({}) };`,
    });
    const definition = await loadProvider('ironrun-provider-two', { projectDir: dir.dir });
    expect(definition.schemes).toEqual(['a', 'b']);
  });

  it('never imports a package that does not declare its schemes', async () => {
    const dir = await project({
      'node_modules/ironrun-provider-quiet/package.json':
        '{"type":"module","exports":"./index.js"}',
      'node_modules/ironrun-provider-quiet/index.js': `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./imported.marker', import.meta.url), '');
export const provider = { name: 'quiet', schemes: ['quiet'], parseOptions: (r) => r, create: () => ({}) };`,
    });
    const error = await loadFailure(
      loadProvider('ironrun-provider-quiet', { projectDir: dir.dir }),
    );
    expect(error.message).toContain('"ironrun": { "schemes"');
    expect(existsSync(dir.path('node_modules/ironrun-provider-quiet/imported.marker'))).toBe(false);
  });

  it('refuses a relative projectDir for a package provider', async () => {
    await loadFailure(loadProvider('ironrun-provider-x', { projectDir: 'relative/dir' }));
  });
});
