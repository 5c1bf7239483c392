import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

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
 * Whether `path` (after following symlinks) lies inside the project, where the agent can
 * write: an `op` there could be a fake that reads the environment of the ironrun process.
 */
export function isInsideProject(path: string, projectDir: string): boolean {
  const project = real(projectDir) ?? projectDir;
  const target = real(path) ?? path;
  return isInside(target, project) || isInside(path, projectDir);
}

/**
 * Looks `op` up on `PATH` the safe way: only absolute entries (a relative entry would resolve
 * against the project, which the agent controls), never an entry or a binary inside the
 * project, first executable match wins. Returns `undefined` when there is none.
 */
export function findOp(
  path: string | undefined,
  projectDir: string,
  platform = process.platform,
): string | undefined {
  const names = platform === 'win32' ? ['op.exe'] : ['op'];
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir) || isInsideProject(dir, projectDir)) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate) && !isInsideProject(candidate, projectDir)) return candidate;
    }
  }
  return undefined;
}
