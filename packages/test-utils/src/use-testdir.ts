import { afterEach } from 'vitest';
import { type TestDir, type TestFile, testdir } from './testdir.js';

/**
 * Call inside a `describe` block: returns a {@link testdir} maker whose
 * directories are removed after each test of that block.
 *
 * @example
 * describe('loadProvider', () => {
 *   const project = useTestdir();
 *   it('…', async () => {
 *     const dir = await project({ 'node_modules/p/package.json': '{}' });
 *   });
 * });
 */
export function useTestdir(): (files?: Record<string, TestFile>) => Promise<TestDir> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return async (files = {}) => {
    const dir = await testdir(files);
    cleanups.push(dir.cleanup);
    return dir;
  };
}
