import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from './cli-error.js';

/** The policy file name ironrun looks for. */
export const POLICY_FILENAME = 'ironrun.yml';

/** The nearest `ironrun.yml` in `startDir` or one of its parents, or `undefined`. */
export function findPolicyFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, POLICY_FILENAME);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The policy path to use: `--policy` resolved against `cwd`, else the nearest
 * `ironrun.yml`. Throws {@link CliError} `POLICY_NOT_FOUND`.
 */
export function resolvePolicyPath(option: string | undefined, cwd: string): string {
  if (option !== undefined && option !== '') {
    const path = resolve(cwd, option);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // reported below
    }
    throw new CliError('POLICY_NOT_FOUND', `No policy file at ${path}.`, {
      hints: ['Check the --policy path, or run `ironrun init` to create one.'],
    });
  }
  const found = findPolicyFile(cwd);
  if (found === undefined) {
    throw new CliError(
      'POLICY_NOT_FOUND',
      `No ${POLICY_FILENAME} in ${resolve(cwd)} or its parents.`,
      { hints: ['Run `ironrun init` to create one, or pass --policy <path>.'] },
    );
  }
  return found;
}
