import { mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultSafePath,
  parseSafePath,
  resolveAllowlist,
  resolveProgram,
} from './resolve-program.js';
import { isSandboxError } from './sandbox-error.js';

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-resolve-')));
  await writeFile(join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(dir, 'plain'), 'data', { mode: 0o644 });
  await symlink(join(dir, 'tool'), join(dir, 'tool-link'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (isSandboxError(error) ? error.code : 'OTHER'),
  );
}

describe('defaultSafePath', () => {
  it('is fixed, and adds Homebrew on macOS', () => {
    expect(defaultSafePath('linux')).toBe('/usr/local/bin:/usr/bin:/bin');
    expect(defaultSafePath('darwin')).toBe('/usr/local/bin:/usr/bin:/bin:/opt/homebrew/bin');
  });
});

describe('parseSafePath', () => {
  it('refuses empty and relative entries, which would search the working directory', () => {
    for (const path of ['', ':/bin', '/bin:', 'bin', '/bin:.'])
      expect(() => parseSafePath(path)).toThrow(/absolute/);
  });
});

describe('resolveProgram', () => {
  it('looks a bare name up in the safe path, first directory first', async () => {
    expect(await resolveProgram('tool', '/', `${dir}:/usr/bin`)).toBe(join(dir, 'tool'));
  });

  it('resolves ./x and x/y against cwd and follows symlinks', async () => {
    expect(await resolveProgram('./tool-link', dir, '/bin')).toBe(join(dir, 'tool'));
    expect(await resolveProgram(`${dir.split('/').pop()}/tool`, join(dir, '..'), '/bin')).toBe(
      join(dir, 'tool'),
    );
  });

  it('never treats a bare name as relative to cwd', async () => {
    expect(await codeOf(resolveProgram('tool', dir, '/usr/bin'))).toBe('NOT_FOUND');
  });

  it('skips a non-executable file of that name in the safe path', async () => {
    expect(await codeOf(resolveProgram('plain', '/', dir))).toBe('NOT_FOUND');
  });

  it('refuses a named file that is not executable, and a directory', async () => {
    expect(await codeOf(resolveProgram('./plain', dir, '/bin'))).toBe('NOT_EXECUTABLE');
    expect(await codeOf(resolveProgram(dir, '/', '/bin'))).toBe('NOT_EXECUTABLE');
  });

  it('refuses an empty name', async () => {
    expect(await codeOf(resolveProgram('', dir, '/bin'))).toBe('INVALID_OPTIONS');
  });
});

describe('resolveAllowlist', () => {
  it('resolves names and paths to real paths and skips what is not installed', async () => {
    const allowed = await resolveAllowlist(
      ['tool-link', join(dir, 'tool'), 'not-installed-here'],
      dir,
    );
    expect([...allowed]).toEqual([join(dir, 'tool')]);
  });

  it('refuses relative paths', async () => {
    expect(await codeOf(resolveAllowlist(['./tool'], dir))).toBe('INVALID_OPTIONS');
  });
});
