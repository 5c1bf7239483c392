import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isInsideDir } from './project-path.js';

/**
 * The real path `path` (absolute) names: symlinks of its longest existing
 * prefix resolved, the part that does not exist yet appended as written, so
 * a path that will be created later is placed where it will really be.
 */
export async function realPathOf(path: string): Promise<string> {
  return realPathOfSync(path);
}

/** {@link realPathOf}, synchronously: the one implementation (`realpath(3)`, as `fs.promises.realpath`). */
export function realPathOfSync(path: string): string {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing.reverse());
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
  return isInsideRealDirSync(dir, target);
}

/** {@link isInsideRealDir}, synchronously. */
export function isInsideRealDirSync(dir: string, target: string): boolean {
  return isInsideDir(realPathOfSync(dir), realPathOfSync(target));
}

/**
 * Whether `target` lies in `dir` by either spelling: as written ({@link isInsideDir}) or
 * after symlinks ({@link isInsideRealDirSync}). The rule for a path that must stay outside a
 * folder an agent can write to: inside by either spelling is inside. Core hands it to every
 * provider as `ProviderContext.isInsideProject`.
 *
 * @example
 * if (isInsideDirEitherWay(projectDir, opPath)) throw new Error('op_path is inside the project');
 */
export function isInsideDirEitherWay(dir: string, target: string): boolean {
  return isInsideDir(dir, target) || isInsideRealDirSync(dir, target);
}
