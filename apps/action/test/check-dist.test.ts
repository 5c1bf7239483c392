import { execFile } from 'node:child_process';
import { appendFile, cp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

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
