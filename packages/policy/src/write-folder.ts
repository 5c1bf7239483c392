import { lstatSync, realpathSync } from 'node:fs';

/**
 * Why `path` (absolute, normalized) cannot be a `write:` folder, or
 * `undefined` when it can: it must exist, be a folder, and be its own real
 * path, with no symlink anywhere in it. A symlink could be pointed elsewhere
 * after a person trusted the policy, and the sandbox would then allow writes
 * there; so trust refuses one, and core checks again before every run.
 *
 * @example
 * const problem = await writeFolderProblem('/home/me/.cache/go-build');
 * if (problem !== undefined) throw new Error(`write: /home/me/.cache/go-build ${problem}`);
 */
export async function writeFolderProblem(path: string): Promise<string | undefined> {
  // Synchronous: two system calls, checked before every run.
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch {
    return 'does not exist: create the folder first';
  }
  if (real !== path)
    return `has a symlink in its path (it leads to ${real}); name the real folder instead`;
  let info: import('node:fs').Stats;
  try {
    info = lstatSync(path);
  } catch {
    return 'does not exist: create the folder first';
  }
  if (info.isSymbolicLink()) return 'has become a symlink';
  if (!info.isDirectory()) return 'is not a folder: write: takes folders';
  return undefined;
}
