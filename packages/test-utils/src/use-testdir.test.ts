import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestdir } from './use-testdir.js';

describe('useTestdir', () => {
  const project = useTestdir();
  let previous: string | undefined;

  it('builds a directory from an object', async () => {
    const dir = await project({ 'a.txt': 'x' });
    expect(existsSync(dir.path('a.txt'))).toBe(true);
    previous = dir.dir;
  });

  it('removed the previous test directory after that test', () => {
    expect(previous).toBeDefined();
    expect(existsSync(previous as string)).toBe(false);
  });
});
