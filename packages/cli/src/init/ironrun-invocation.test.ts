import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { ironrunInvocation, shellWord } from './ironrun-invocation.js';

const script = { content: '#!/usr/bin/env node\n', mode: 0o755 };

describe('ironrunInvocation', () => {
  const testdir = useTestdir();

  it('uses --bin as given, before anything installed', async () => {
    const project = await testdir({
      'node_modules/@ironrun/cli/package.json': '{}',
      'node_modules/.bin/ironrun': script,
    });
    expect(
      ironrunInvocation({ projectDir: project.dir, bin: ['ironrun'], version: '1.2.3' }),
    ).toEqual({ words: ['ironrun'], kind: 'bin' });
  });

  it("uses the project's own install: pnpm exec in a pnpm project, else its .bin link", async () => {
    const files = {
      'node_modules/@ironrun/cli/package.json': '{}',
      'node_modules/.bin/ironrun': script,
    };
    const npm = await testdir(files);
    const pnpm = await testdir({ ...files, 'pnpm-lock.yaml': 'lockfileVersion: 9.0\n' });
    const elsewhere = await testdir({ 'cli.js': script });
    const facts = { version: '1.2.3', argv1: elsewhere.path('cli.js'), pathEnv: '' };
    expect(ironrunInvocation({ ...facts, projectDir: npm.dir })).toEqual({
      words: ['./node_modules/.bin/ironrun'],
      kind: 'project',
    });
    expect(ironrunInvocation({ ...facts, projectDir: pnpm.dir })).toEqual({
      words: ['pnpm', 'exec', 'ironrun'],
      kind: 'project',
    });
    // A stray .bin/ironrun without the package is not an install of ironrun.
    const stray = await testdir({ 'node_modules/.bin/ironrun': script });
    expect(ironrunInvocation({ ...facts, projectDir: stray.dir }).kind).toBe('absolute');
  });

  it('says ironrun when the ironrun on PATH is the running one, and its absolute path when not on PATH', async () => {
    const project = await testdir();
    const install = await testdir({ 'lib/node_modules/@ironrun/cli/dist/cli.js': script });
    const cli = install.path('lib/node_modules/@ironrun/cli/dist/cli.js');
    await mkdir(install.path('bin'));
    await symlink(cli, install.path('bin/ironrun'));
    const base = { projectDir: project.dir, version: '1.2.3', execPath: '/opt/node/bin/node' };
    const linked = { ...base, argv1: install.path('bin/ironrun') };
    expect(ironrunInvocation({ ...linked, pathEnv: `/nowhere:${install.path('bin')}` })).toEqual({
      words: ['ironrun'],
      kind: 'path',
    });
    expect(ironrunInvocation({ ...linked, pathEnv: '/usr/bin:/bin' })).toEqual({
      words: [install.path('bin/ironrun')],
      kind: 'absolute',
    });
    // Started as `node …/cli.js`: node and the script, both absolute.
    expect(ironrunInvocation({ ...base, argv1: cli, pathEnv: '' })).toEqual({
      words: ['/opt/node/bin/node', cli],
      kind: 'absolute',
    });
    // Another ironrun on PATH (say, an older global one) is not the install that wrote the files.
    const other = await testdir({ 'bin/ironrun': script });
    expect(ironrunInvocation({ ...linked, pathEnv: other.path('bin') }).kind).toBe('absolute');
    // A relative PATH entry is never used (it depends on the agent's folder).
    expect(ironrunInvocation({ ...linked, pathEnv: 'bin' }).kind).toBe('absolute');
  });

  it('the single-file binary: ironrun on PATH, else its absolute path', async () => {
    const project = await testdir();
    const install = await testdir({ 'bin/ironrun': script });
    const binary = install.path('bin/ironrun');
    const facts = { projectDir: project.dir, version: '1.2.3', execPath: binary, argv1: binary };
    expect(
      ironrunInvocation({ ...facts, singleExecutable: true, pathEnv: install.path('bin') }),
    ).toEqual({ words: ['ironrun'], kind: 'path' });
    expect(ironrunInvocation({ ...facts, singleExecutable: true, pathEnv: '/usr/bin' })).toEqual({
      words: [binary],
      kind: 'absolute',
    });
  });

  it('pins the version through npx when the running CLI is in an npx, pnpm dlx, bunx or yarn dlx cache', async () => {
    const project = await testdir();
    for (const cache of [
      '.npm/_npx/8a1b2c/node_modules/@ironrun/cli/dist/cli.js',
      '.cache/pnpm/dlx/x1y2/node_modules/@ironrun/cli/dist/cli.js',
      'tmp/bunx-1000-@ironrun/cli@latest/node_modules/@ironrun/cli/dist/cli.js',
      'tmp/xfs-9f8e7d/dlx-123/node_modules/@ironrun/cli/dist/cli.js',
    ]) {
      const home = await testdir({ [cache]: script });
      // Even when a PATH entry links to it: the cache can be cleaned at any time.
      await mkdir(home.path('bin'));
      await symlink(home.path(cache), home.path('bin/ironrun'));
      expect(
        ironrunInvocation({
          projectDir: project.dir,
          version: '1.2.3',
          argv1: home.path(cache),
          pathEnv: home.path('bin'),
        }),
        cache,
      ).toEqual({ words: ['npx', '-y', '@ironrun/cli@1.2.3'], kind: 'npx' });
    }
    // No script at all (a REPL, or one that no longer exists): npx too.
    const gone = { projectDir: project.dir, version: '1.2.3', pathEnv: '' };
    expect(ironrunInvocation({ ...gone, argv1: join(project.dir, 'missing.js') }).kind).toBe('npx');
  });
});

describe('shellWord', () => {
  it('quotes only what sh would split or expand', () => {
    expect(shellWord('./node_modules/.bin/ironrun')).toBe('./node_modules/.bin/ironrun');
    expect(shellWord('/home/a b/ironrun')).toBe("'/home/a b/ironrun'");
    expect(shellWord("it's$HOME")).toBe("'it'\\''s$HOME'");
  });
});
