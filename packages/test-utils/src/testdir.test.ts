import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { testdir } from './testdir.js';

describe('testdir', () => {
  it('builds a project from an object and removes it on cleanup', async () => {
    const project = await testdir({
      'ironrun.yml': 'version: 1\n',
      'scripts/x.sh': '#!/bin/sh\necho hi\n',
    });
    expect(await readFile(project.path('ironrun.yml'), 'utf8')).toBe('version: 1\n');
    expect((await stat(project.path('scripts/x.sh'))).mode & 0o111).not.toBe(0);
    await project.cleanup();
    await expect(stat(project.dir)).rejects.toThrow();
  });

  it('writes files with an explicit mode', async () => {
    const project = await testdir({ 'a.txt': { content: 'x', mode: 0o600 } });
    expect((await stat(project.path('a.txt'))).mode & 0o777).toBe(0o600);
    await project.cleanup();
  });
});
