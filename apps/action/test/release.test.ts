// The release flow's git side, against a local bare repository standing in
// for GitHub: the release commit, v<version>, and moving v<major>.
import { execFile, execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseTags } from '../scripts/release.mjs';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../..');
const git = (args: string[], cwd = repoRoot) =>
  execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

let work: TestDir;
let remote: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  work = await testdir({});
  remote = work.path('remote.git');
  git(['init', '-q', '--bare', remote], work.dir);
  // CI checks out shallow clones; the stand-in for GitHub accepts their pushes.
  git(['config', 'receive.shallowUpdate', 'true'], remote);
  // New objects (the release commit) go to a scratch store, so a test run
  // leaves nothing in the repository's own.
  env = {
    ...process.env,
    GIT_OBJECT_DIRECTORY: work.path('objects'),
    GIT_ALTERNATE_OBJECT_DIRECTORIES: join(git(['rev-parse', '--git-common-dir']), 'objects'),
  };
  git(['init', '-q', '--bare', work.path('scratch.git')], work.dir);
  execFileSync('mv', [work.path('scratch.git/objects'), work.path('objects')]);
});

afterEach(async () => {
  await work.cleanup();
});

async function release(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['apps/action/scripts/release.mjs', '--remote', remote, '--allow-dirty', ...args],
      { cwd: repoRoot, env, maxBuffer: 1 << 24 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const remoteTag = (name: string) => {
  try {
    return git(['rev-parse', '--verify', '--quiet', `refs/tags/${name}^{commit}`], remote);
  } catch {
    return undefined;
  }
};

/** Paths the checkout changes against HEAD (what --allow-dirty lets into the tree). */
function dirtyPaths(): Set<string> {
  const status = execFileSync('git', ['status', '--porcelain', '-z', '--untracked-files=all'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  // -z: `XY path` entries, a rename followed by its old path as one more entry.
  return new Set(
    status
      .split('\0')
      .filter(Boolean)
      .map((entry) => (/^[ MADRCU?!]{2} /.test(entry) ? entry.slice(3) : entry)),
  );
}

describe('pnpm action:release', () => {
  it('pushes v<version> and moves v<major> to one commit on top of HEAD that adds only the built dist', async () => {
    const { tag, major } = await releaseTags();
    const head = git(['rev-parse', 'HEAD']);
    // An earlier release of the same major, which v<major> points at now.
    git(['push', '-q', remote, `${head}:refs/tags/${major}`], repoRoot);

    const result = await release('--push');
    expect(result.output).toContain(`${major} moves to it`);
    expect(result.code).toBe(0);

    const commit = remoteTag(tag);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(remoteTag(major)).toBe(commit);
    expect(git(['rev-parse', `${commit}^`], remote)).toBe(head);
    const files = git(['ls-tree', '-r', '--name-only', commit as string], remote).split('\n');
    for (const file of [
      'action.yml',
      'apps/action/dist/index.js',
      'apps/action/dist/core_bg.wasm',
      'apps/action/dist/package.json',
    ]) {
      expect(files).toContain(file);
    }
    const dirty = dirtyPaths();
    const changed = git(['diff', '--name-only', head, commit as string], remote).split('\n');
    for (const path of changed.filter((file) => !dirty.has(file))) {
      expect(path).toMatch(/^apps\/action\/dist\//);
    }
  }, 120_000);

  it('does nothing when v<version> is already released', async () => {
    const { tag, major } = await releaseTags();
    const head = git(['rev-parse', 'HEAD']);
    git(['push', '-q', remote, `${head}:refs/tags/${tag}`, `${head}:refs/tags/${major}`], repoRoot);
    const result = await release('--push');
    expect(result.code).toBe(0);
    expect(result.output).toContain('already on');
    expect(remoteTag(tag)).toBe(head);
    expect(remoteTag(major)).toBe(head);
  }, 120_000);

  it('leaves v<major> where it is when a newer release of that major exists', async () => {
    const { tag, major, parsed } = await releaseTags();
    const head = git(['rev-parse', 'HEAD']);
    const newer = `v${parsed[0]}.${parsed[1] + 1}.0`;
    git(
      ['push', '-q', remote, `${head}:refs/tags/${newer}`, `${head}:refs/tags/${major}`],
      repoRoot,
    );
    const result = await release('--push');
    expect(result.code).toBe(0);
    expect(result.output).toContain(`${major} stays`);
    expect(remoteTag(tag)).toMatch(/^[0-9a-f]{40}$/);
    expect(remoteTag(tag)).not.toBe(head);
    expect(remoteTag(major)).toBe(head);
  }, 120_000);

  it('pushes nothing without --push', async () => {
    const { tag } = await releaseTags();
    const result = await release();
    expect(result.code).toBe(0);
    expect(result.output).toContain('would run git push --atomic');
    expect(remoteTag(tag)).toBeUndefined();
  }, 120_000);
});
