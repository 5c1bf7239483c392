import { symlink } from 'node:fs/promises';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { isProviderError } from './provider-error.js';
import { providerPackageFiles } from './provider-package-files.js';

describe('providerPackageFiles', () => {
  const project = useTestdir();

  it('lists every file at any depth, sorted, leaving out nested node_modules', async () => {
    const dir = await project({
      'p/package.json': '{}',
      'p/dist/index.js': '',
      'p/dist/chunks/a/b/c.js': '',
      'p/node_modules/dep/index.js': '',
      'p/dist/node_modules/dep/index.js': '',
      'p/.hidden': '',
    });
    expect(await providerPackageFiles(dir.path('p'))).toEqual([
      dir.path('p/.hidden'),
      dir.path('p/dist/chunks/a/b/c.js'),
      dir.path('p/dist/index.js'),
      dir.path('p/package.json'),
    ]);
  });

  it('lists a symlink itself and never follows one into another folder', async () => {
    const dir = await project({
      'p/package.json': '{}',
      'elsewhere/evil.js': '',
      'elsewhere/more/x.js': '',
    });
    await symlink(dir.path('elsewhere/evil.js'), dir.path('p/index.js'));
    await symlink(dir.path('elsewhere'), dir.path('p/lib'));
    expect(await providerPackageFiles(dir.path('p'))).toEqual([
      dir.path('p/index.js'),
      dir.path('p/lib'),
      dir.path('p/package.json'),
    ]);
  });

  it('refuses a package with more files than maxFiles rather than pinning part of it', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 6; index += 1) files[`p/f${index}.js`] = '';
    const dir = await project(files);
    expect(await providerPackageFiles(dir.path('p'), { maxFiles: 6 })).toHaveLength(6);
    const error = await providerPackageFiles(dir.path('p'), { maxFiles: 5 }).catch(
      (caught: unknown) => caught,
    );
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'LOAD',
      message: expect.stringMatching(/more than 5 files/),
    });
  });

  it('refuses a relative folder, a bad maxFiles and a folder it cannot list', async () => {
    const dir = await project({ 'file.txt': '' });
    // Each started only when its rejection is awaited: started all at once, a later one that
    // rejects while an earlier one is awaited is an unhandled rejection for that moment.
    for (const attempt of [
      () => providerPackageFiles('node_modules/p'),
      () => providerPackageFiles(dir.dir, { maxFiles: 0 }),
      () => providerPackageFiles(dir.path('missing')),
      () => providerPackageFiles(dir.path('file.txt')),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ name: 'ProviderError', code: 'LOAD' });
    }
  });
});
