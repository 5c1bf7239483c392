import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isInsideDir } from './project-path.js';

/**
 * The real path `path` (absolute) names: symlinks of its longest existing
 * prefix resolved, the part that does not exist yet appended as written, so
 * a path that will be created later is placed where it will really be.
 */
export async function realPathOf(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/**
 * Whether `target` really lies in `dir` (both absolute): compared after
 * resolving symlinks on both sides (of the longest existing prefix, see
 * {@link realPathOf}), so `app/link -> /etc` is outside the project `app`
 * and a child folder named `..x` is inside it. This is the one containment
 * check of ironrun; core re-exports it for the CLI and the Action.
 *
 * @example
 * if (!(await isInsideRealDir(projectDir, command.cwd))) throw new Error('cwd leaves the project');
 */
export async function isInsideRealDir(dir: string, target: string): Promise<boolean> {
  const [realDir, realTarget] = await Promise.all([realPathOf(dir), realPathOf(target)]);
  return isInsideDir(realDir, realTarget);
}
