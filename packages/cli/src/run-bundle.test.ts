import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileRunBundle, runBundleCache, runBundleCachePath } from './run-bundle.js';

// Two sources of the same length: V8 checks a code cache against the source's length only,
// so a cache of one, handed to the other, runs the first one's code.
const first = 'exports.runFast = async () => 11;';
const second = 'exports.runFast = async () => 22;';

let dir: TestDir;
beforeEach(async () => {
  dir = await testdir();
});
afterEach(async () => {
  await dir.cleanup();
});

/** Compiles and runs `file` as the loader does, calls its runFast, and stores its code cache. */
async function train(file: string): Promise<Buffer> {
  const compiled = compileRunBundle(file);
  await compiled.run().runFast([]);
  return runBundleCache(compiled);
}

describe('compileRunBundle', () => {
  it('uses a code cache made from the same bytes', async () => {
    const file = dir.path('run.cjs');
    await writeFile(file, first);
    await writeFile(runBundleCachePath(file), await train(file));
    const compiled = compileRunBundle(file);
    expect(compiled.cacheRejected).toBe(false);
    expect(await compiled.run().runFast([])).toBe(11);
  });

  it('never runs code cached from other bytes of the same length (a run.cjs changed since)', async () => {
    const file = dir.path('run.cjs');
    await writeFile(file, first);
    const stale = await train(file);
    await writeFile(file, second);
    await writeFile(runBundleCachePath(file), stale);
    const compiled = compileRunBundle(file);
    expect(compiled.cacheRejected).toBeUndefined();
    expect(await compiled.run().runFast([])).toBe(22);
  });

  it('ignores a cache file that is not one of ours, and one that is missing', async () => {
    const file = dir.path('run.cjs');
    await writeFile(file, first);
    expect(compileRunBundle(file).cacheRejected).toBeUndefined();
    // V8 data without our header (what createCachedData alone writes).
    const compiled = compileRunBundle(file);
    await compiled.run().runFast([]);
    await writeFile(runBundleCachePath(file), compiled.script.createCachedData());
    expect(compileRunBundle(file).cacheRejected).toBeUndefined();
    expect(await compileRunBundle(file).run().runFast([])).toBe(11);
  });

  it('ignores a cache cut short, and one whose copy of the source is one byte off', async () => {
    const file = dir.path('run.cjs');
    await writeFile(file, first);
    const cache = await train(file);
    // Cut inside the copy of the source: V8 gets no cache at all.
    await writeFile(runBundleCachePath(file), cache.subarray(0, cache.indexOf(first) + 10));
    expect(compileRunBundle(file).cacheRejected).toBeUndefined();
    const forged = Buffer.from(cache);
    const at = forged.indexOf(first);
    forged[at + first.indexOf('11')] = '2'.charCodeAt(0);
    await writeFile(runBundleCachePath(file), forged);
    expect(compileRunBundle(file).cacheRejected).toBeUndefined();
    expect(await compileRunBundle(file).run().runFast([])).toBe(11);
  });

  it('hands the bundle an import() that loads ES modules', async () => {
    const file = dir.path('run.cjs');
    await writeFile(dir.path('answer.mjs'), 'export const answer = 42;');
    await writeFile(
      file,
      `exports.runFast = async () => (await __ironrunImport(${JSON.stringify(new URL(`file://${dir.path('answer.mjs')}`).href)})).answer;`,
    );
    expect(await compileRunBundle(file).run().runFast([])).toBe(42);
  });

  it.each(['run.cjs', 'agent.cjs'])(
    'finds the cache the build made for dist/%s usable by this Node',
    (name) => {
      const built = fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
      expect(existsSync(built), 'build the CLI first (pnpm --filter @ironrun/cli build)').toBe(
        true,
      );
      expect(compileRunBundle(built).cacheRejected).toBe(false);
    },
  );
});
