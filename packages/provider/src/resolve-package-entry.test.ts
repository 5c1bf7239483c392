import { realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { mainExportTarget, resolvePackageEntry, walkedPaths } from './resolve-package-entry.js';

describe('mainExportTarget', () => {
  it.each([
    ['a string', './dist/index.js', './dist/index.js'],
    ['a "." string', { '.': './a.js', './package.json': './package.json' }, './a.js'],
    [
      'import before require',
      { '.': { types: './a.d.ts', require: './a.cjs', import: './a.mjs' } },
      './a.mjs',
    ],
    ['default', { '.': { types: './a.d.ts', default: './a.js' } }, './a.js'],
    [
      'nested node conditions',
      { '.': { node: { import: './n.mjs' }, default: './d.js' } },
      './n.mjs',
    ],
    ['a conditions object at the top', { import: './i.js', require: './r.cjs' }, './i.js'],
    ['an array fallback', { '.': [{ require: './r.cjs' }, './f.js'] }, './f.js'],
  ])('reads %s', (_, exports, target) => {
    expect(mainExportTarget(exports)).toBe(target);
  });

  it.each([
    ['a require-only export', { '.': { require: './r.cjs' } }],
    ['subpaths without "."', { './x': './x.js' }],
    ['a browser-only export', { '.': { browser: './b.js' } }],
  ])('finds nothing in %s', (_, exports) => {
    expect(mainExportTarget(exports)).toBeUndefined();
  });
});

describe('resolvePackageEntry', () => {
  const project = useTestdir();

  it('finds a package in a parent node_modules, as Node does', async () => {
    const dir = await project({
      'node_modules/p/package.json': '{"exports":{".":{"import":"./i.js"}}}',
      'node_modules/p/i.js': '',
      'app/ironrun.yml': '',
    });
    expect(await resolvePackageEntry('p', join(dir.dir, 'app'))).toEqual({
      packageDir: dir.path('node_modules/p'),
      entry: dir.path('node_modules/p/i.js'),
      decidedBy: [
        dir.path('app/node_modules/p/package.json'),
        ...(await walkedPaths(dir.path('node_modules/p'))),
      ],
    });
  });

  it('falls back to main and then index.js', async () => {
    const dir = await project({
      'node_modules/m/package.json': '{"main":"lib/main"}',
      'node_modules/m/lib/main.js': '',
      'node_modules/i/package.json': '{}',
      'node_modules/i/index.js': '',
    });
    expect(await resolvePackageEntry('m', dir.dir)).toMatchObject({
      entry: dir.path('node_modules/m/lib/main.js'),
    });
    expect(await resolvePackageEntry('i', dir.dir)).toMatchObject({
      entry: dir.path('node_modules/i/index.js'),
    });
  });

  it('reports a package that is not installed with the folders searched', async () => {
    const dir = await project({});
    const found = await resolvePackageEntry('nope', dir.dir);
    expect(found).toMatchObject({ kind: 'not-installed' });
    expect((found as { searched: string[] }).searched).toContain(dir.path('node_modules'));
  });

  it('refuses an export target that climbs out of the package', async () => {
    const dir = await project({
      'node_modules/p/package.json': '{"exports":"../q/evil.js"}',
      'node_modules/q/evil.js': '',
    });
    expect(await resolvePackageEntry('p', dir.dir)).toMatchObject({ kind: 'no-entry' });
  });

  it('refuses an entry that is a symlink leading outside the package', async () => {
    const dir = await project({
      'node_modules/p/package.json': '{"exports":"./entry.js"}',
      'outside.js': '',
    });
    await symlink(dir.path('outside.js'), dir.path('node_modules/p/entry.js'));
    expect(await resolvePackageEntry('p', dir.dir)).toMatchObject({ kind: 'no-entry' });
  });

  it('reports a broken package.json and a missing entry file', async () => {
    const dir = await project({
      'node_modules/b/package.json': '{not json',
      'node_modules/e/package.json': '{"exports":"./dist/index.js"}',
    });
    expect(await resolvePackageEntry('b', dir.dir)).toMatchObject({ kind: 'bad-package-json' });
    expect(await resolvePackageEntry('e', dir.dir)).toMatchObject({ kind: 'no-entry' });
  });

  it('names the nearer package.json that would shadow the package, so trust can pin it absent', async () => {
    const dir = await project({
      'node_modules/p/package.json': '{"exports":"./i.js"}',
      'node_modules/p/i.js': '',
      'app/sub/ironrun.yml': '',
    });
    const found = await resolvePackageEntry('p', dir.path('app/sub'));
    expect(found).toMatchObject({
      decidedBy: expect.arrayContaining([
        dir.path('app/sub/node_modules/p/package.json'),
        dir.path('app/node_modules/p/package.json'),
      ]),
    });
  });

  it('names the symlink a package manager links the package through, and the folders on the way', async () => {
    const dir = await project({
      'node_modules/.store/p@1/node_modules/p/package.json': '{"exports":"./i.js"}',
      'node_modules/.store/p@1/node_modules/p/i.js': '',
    });
    await symlink('.store/p@1/node_modules/p', dir.path('node_modules/p'));
    const found = await resolvePackageEntry('p', dir.dir);
    expect(found).toMatchObject({
      packageDir: dir.path('node_modules/.store/p@1/node_modules/p'),
      decidedBy: expect.arrayContaining([
        dir.path('node_modules'),
        dir.path('node_modules/p'),
        dir.path('node_modules/.store/p@1/node_modules/p'),
      ]),
    });
  });

  it('names the entry candidates tried before the one found, which a new file there would replace', async () => {
    const dir = await project({
      'node_modules/m/package.json': '{"main":"lib/main"}',
      'node_modules/m/lib/main.js': '',
    });
    const found = await resolvePackageEntry('m', dir.dir);
    expect(found).toMatchObject({
      entry: dir.path('node_modules/m/lib/main.js'),
      decidedBy: expect.arrayContaining([dir.path('node_modules/m/lib/main')]),
    });
    expect((found as { decidedBy: string[] }).decidedBy).not.toContain(
      dir.path('node_modules/m/lib/main.js'),
    );
  });
});

describe('walkedPaths', () => {
  const project = useTestdir();

  it('follows relative and absolute symlinks as realpath does, naming every path it visits', async () => {
    const dir = await project({ 'real/deep/file.js': '', 'other/x': '' });
    await symlink('../real/deep', dir.path('other/rel'));
    await symlink(dir.path('other/rel'), dir.path('abs'));
    const walked = await walkedPaths(dir.path('abs/file.js'));
    expect(walked).toEqual(
      expect.arrayContaining([
        dir.path('abs'),
        dir.path('other/rel'),
        dir.path('real/deep'),
        dir.path('real/deep/file.js'),
      ]),
    );
    expect(walked).not.toContain(dir.path('other/x'));
    expect(walked.at(-1)).toBe(await realpath(dir.path('abs/file.js')));
  });
});
