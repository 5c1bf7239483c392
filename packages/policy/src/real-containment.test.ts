import { mkdir, symlink } from 'node:fs/promises';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { isInsideDir } from './project-path.js';
import { isInsideRealDir, realPathOf } from './real-containment.js';

describe('isInsideDir', () => {
  it.each([
    ['/work/app', '/work/app', true],
    ['/work/app', '/work/app/src/x.ts', true],
    ['/work/app', '/work/app/..x', true],
    ['/work/app', '/work/app/..x/y', true],
    ['/work/app', '/work/app/...', true],
    ['/work/app', '/work/app2/x', false],
    ['/work/app', '/work', false],
    ['/work/app', '/work/app/../other', false],
    ['/work/app', '/etc/passwd', false],
  ])('inside %s: %s is %s', (dir, target, inside) => {
    expect(isInsideDir(dir, target)).toBe(inside);
  });
});

describe('isInsideRealDir', () => {
  const project = useTestdir();

  it('counts a child folder named ..x as inside', async () => {
    const app = await project({ 'app/..x/f': 'x' });
    expect(await isInsideRealDir(app.path('app'), app.path('app/..x/f'))).toBe(true);
    expect(await isInsideRealDir(app.path('app'), app.path('app/..x/not-yet-created'))).toBe(true);
  });

  it('counts a symlink in the folder that points out of it as outside', async () => {
    const tree = await project({ 'app/a': 'x', 'outside/secret.env': 'K=v' });
    await symlink(tree.path('outside'), tree.path('app/link'));
    expect(await isInsideRealDir(tree.path('app'), tree.path('app/link/secret.env'))).toBe(false);
    expect(await isInsideRealDir(tree.path('app'), tree.path('app/link/new-file'))).toBe(false);
  });

  it('counts a symlink outside that points into the folder as inside', async () => {
    const tree = await project({ 'app/trust/x.json': '{}' });
    await symlink(tree.path('app'), tree.path('alias'));
    expect(await isInsideRealDir(tree.path('app'), tree.path('alias/trust/x.json'))).toBe(true);
    expect(await isInsideRealDir(tree.path('alias'), tree.path('app/trust'))).toBe(true);
  });

  it('counts a sibling whose name starts with the folder name as outside', async () => {
    const tree = await project({ 'app/a': 'x', 'app2/b': 'y' });
    expect(await isInsideRealDir(tree.path('app'), tree.path('app2/b'))).toBe(false);
  });

  it('places a path that does not exist yet where its existing prefix really is', async () => {
    const tree = await project({ 'outside/.keep': '' });
    await mkdir(tree.path('app'));
    await symlink(tree.path('outside'), tree.path('app/out'));
    expect(await realPathOf(tree.path('app/out/a/b'))).toBe(tree.path('outside/a/b'));
  });
});
