import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Whether `path` is an executable regular file (following symlinks). */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks `op` up on `PATH` the safe way: only absolute entries (a relative entry would resolve
 * against the project, which the agent controls), never an entry or a binary inside the
 * project (by `isInsideProject`, ironrun's containment check from the provider context: an
 * `op` there could be a fake that reads the environment of the ironrun process), first
 * executable match wins. Returns `undefined` when there is none.
 */
export function findOp(
  path: string | undefined,
  isInsideProject: (path: string) => boolean,
  platform = process.platform,
): string | undefined {
  const names = platform === 'win32' ? ['op.exe'] : ['op'];
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir) || isInsideProject(dir)) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate) && !isInsideProject(candidate)) return candidate;
    }
  }
  return undefined;
}
