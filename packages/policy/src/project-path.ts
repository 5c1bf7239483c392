import { isAbsolute, relative, sep } from 'node:path';

/**
 * Whether `target` is `dir` itself or lies below it (both absolute), compared as written:
 * `..` segments resolved, symlinks not. A child named `..x` is inside; `dir2` is not inside
 * `dir`. For a path an agent could have placed a symlink on, use {@link isInsideRealDir}
 * (or both: a path that is inside by either spelling is inside for a "must be outside" rule).
 *
 * @example
 * isInsideDir('/work/app', '/work/app/..x/f'); // true
 * isInsideDir('/work/app', '/work/app2/f'); // false
 */
export function isInsideDir(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Whether an argv element names a path (holds a separator) rather than a program to look up. */
export function hasPathSeparator(text: string): boolean {
  return text.includes('/') || (sep === '\\' && text.includes('\\'));
}
