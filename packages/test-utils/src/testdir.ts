import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file in a {@link testdir} tree: its text, or its text and mode. */
export type TestFile = string | { content: string | Uint8Array; mode?: number };

/** A temporary project directory built by {@link testdir}. */
export interface TestDir {
  /** The real (symlink-free) absolute path of the directory. */
  readonly dir: string;
  /** The absolute path of `relative` inside the directory. */
  path(relative: string): string;
  /** Writes (or overwrites) more files inside the directory. */
  write(files: Record<string, TestFile>): Promise<void>;
  /** Removes the directory and everything in it. */
  cleanup(): Promise<void>;
}

async function writeTree(root: string, files: Record<string, TestFile>): Promise<void> {
  for (const [relative, file] of Object.entries(files)) {
    const target = join(root, relative);
    await mkdir(dirname(target), { recursive: true });
    const content = typeof file === 'string' ? file : file.content;
    await writeFile(target, content);
    const mode = typeof file === 'string' ? undefined : file.mode;
    if (mode !== undefined) await chmod(target, mode);
    else if (typeof content === 'string' && content.startsWith('#!')) await chmod(target, 0o755);
  }
}

/**
 * Builds a temporary project from an object of relative paths to contents.
 * Files whose text starts with `#!` are made executable.
 *
 * @example
 * const project = await testdir({ 'ironrun.yml': 'version: 1\n', 'scripts/x.sh': '#!/bin/sh\necho hi\n' });
 */
export async function testdir(files: Record<string, TestFile> = {}): Promise<TestDir> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-test-')));
  await writeTree(dir, files);
  return {
    dir,
    path: (relative) => join(dir, relative),
    write: (more) => writeTree(dir, more),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
