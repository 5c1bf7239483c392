import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { resolveProviderPackage } from './resolve-provider-package.js';

describe('resolveProviderPackage', () => {
  const project = useTestdir();

  it('finds the package folder and entry loadProvider would import, without importing it', async () => {
    const dir = await project({
      'node_modules/@acme/ironrun-provider-vault/package.json':
        '{"type":"module","exports":{".":"./dist/index.js"}}',
      'node_modules/@acme/ironrun-provider-vault/dist/index.js':
        'throw new Error("imported, which resolving must never do");',
    });
    const found = await resolveProviderPackage('@acme/ironrun-provider-vault', {
      projectDir: dir.dir,
    });
    expect(found).toMatchObject({
      name: '@acme/ironrun-provider-vault',
      dir: dir.path('node_modules/@acme/ironrun-provider-vault'),
      entry: dir.path('node_modules/@acme/ironrun-provider-vault/dist/index.js'),
    });
    expect(found.decidedBy).toContain(dir.path('node_modules/@acme'));
  });

  it.each([
    ['a built-in name', 'envfile', /not a provider package name/],
    ['a file path', './evil.js', /never a file path/],
    ['a package that is not installed', 'ironrun-provider-nope', /not installed/],
    ['a package without an entry', 'ironrun-provider-empty', /cannot be imported/],
    ['a package with a broken package.json', 'ironrun-provider-broken', /unreadable package.json/],
  ])('refuses %s with LOAD', async (_, name, message) => {
    const dir = await project({
      'node_modules/ironrun-provider-empty/package.json': '{"exports":"./missing.js"}',
      'node_modules/ironrun-provider-broken/package.json': '{',
    });
    await expect(resolveProviderPackage(name, { projectDir: dir.dir })).rejects.toMatchObject({
      name: 'ProviderError',
      code: 'LOAD',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a relative projectDir', async () => {
    await expect(
      resolveProviderPackage('ironrun-provider-x', { projectDir: 'project' }),
    ).rejects.toMatchObject({ code: 'LOAD', message: /absolute path/ });
  });
});
