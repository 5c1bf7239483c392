import { execFile } from 'node:child_process';
import { appendFile, cp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCommittedDist } from '../scripts/check-dist.mjs';

const actionDir = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

async function checkDist(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/check-dist.mjs', ...args], {
      cwd: actionDir,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

let copy: TestDir;

beforeEach(async () => {
  // dist/ was just built from the current source by the global setup.
  copy = await testdir({});
  await cp(join(actionDir, 'dist'), copy.dir, { recursive: true });
});

afterEach(async () => {
  await copy.cleanup();
});

describe('check-dist', () => {
  it('passes when the dist compared is exactly a fresh build', async () => {
    const result = await checkDist('--against', copy.dir);
    expect(result.output).toContain('matches a fresh build');
    expect(result.code).toBe(0);
  });

  it('fails when the bundle is stale', async () => {
    await appendFile(copy.path('index.js'), '\n// an edit the source does not have\n');
    const result = await checkDist('--against', copy.dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('dist/index.js differs from a fresh build');
  });

  it('fails when a file the build makes is missing, or one it no longer makes is left', async () => {
    await rm(copy.path('package.json'));
    await writeFile(copy.path('old-chunk.js'), 'export {};\n');
    const result = await checkDist('--against', copy.dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('dist/package.json is missing');
    expect(result.output).toContain('dist/old-chunk.js is not produced by the build any more');
  });

  it('fails a release ref that carries no dist when --require-committed is given', async () => {
    const empty = await testdir({});
    try {
      const result = await checkDist('--against', empty.dir, '--require-committed');
      expect(result.code).toBe(1);
      expect(result.output).toContain('must carry the built action');
    } finally {
      await empty.cleanup();
    }
  });
});

describe('readCommittedDist', () => {
  it('reads the dist/ files committed at HEAD, not the working tree', async () => {
    const repo = await testdir({
      'app/dist/index.js': 'committed\n',
      'app/src/main.ts': 'export {};\n',
    });
    try {
      const git = (...args: string[]) =>
        run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo.dir });
      await git('init', '-q');
      await git('add', '-A');
      await git('commit', '-q', '-m', 'release');
      await writeFile(repo.path('app/dist/index.js'), 'rebuilt in the working tree\n');
      const files = readCommittedDist(repo.path('app'));
      expect([...files.keys()]).toEqual(['index.js']);
      expect(files.get('index.js')?.toString()).toBe('committed\n');
    } finally {
      await repo.cleanup();
    }
  });

  it('is empty where dist/ is not committed', async () => {
    const repo = await testdir({ 'app/src/main.ts': 'export {};\n' });
    try {
      await run('git', ['init', '-q'], { cwd: repo.dir });
      await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A'], {
        cwd: repo.dir,
      });
      await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x'], {
        cwd: repo.dir,
      });
      expect(readCommittedDist(repo.path('app')).size).toBe(0);
    } finally {
      await repo.cleanup();
    }
  });
});
