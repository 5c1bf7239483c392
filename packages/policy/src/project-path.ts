import { isAbsolute, relative, sep } from 'node:path';

/** Whether `target` (absolute) is `dir` itself or lies below it, compared lexically. */
export function isInsideDir(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Whether an argv element names a path (holds a separator) rather than a program to look up. */
export function hasPathSeparator(text: string): boolean {
  return text.includes('/') || (sep === '\\' && text.includes('\\'));
}
