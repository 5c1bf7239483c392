import { forbiddenEnvReason } from './env-name.js';
import { loaderEnvReason } from './loader-env.js';

/** One problem with a command's loader variables, relative to the command. */
export interface LoaderEnvProblem {
  path: (string | number)[];
  message: string;
  at: 'key' | 'value';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The problems of one raw command's `env` and `allow_loader_env`: an env
 * name that makes the program load code (see `loader-env.ts`) and is not
 * listed under `allow_loader_env`, and an `allow_loader_env` entry that is
 * no such name (a stale or mistyped opt-in must not sit unreviewed) or names
 * a variable that is never settable.
 */
export function checkLoaderEnv(env: unknown, allowLoaderEnv: unknown): LoaderEnvProblem[] {
  const problems: LoaderEnvProblem[] = [];
  const allowed = new Set(
    Array.isArray(allowLoaderEnv)
      ? allowLoaderEnv.filter((name): name is string => typeof name === 'string')
      : [],
  );
  if (isRecord(env)) {
    for (const name of Object.keys(env)) {
      const reason = loaderEnvReason(name);
      if (reason === undefined || allowed.has(name) || forbiddenEnvReason(name) !== undefined)
        continue;
      problems.push({
        path: ['env', name],
        message: `this variable makes the program load code: ${reason}. If a person has reviewed that, list "${name}" under the command's allow_loader_env`,
        at: 'key',
      });
    }
  }
  if (Array.isArray(allowLoaderEnv)) {
    allowLoaderEnv.forEach((name, index) => {
      if (typeof name !== 'string') return;
      if (forbiddenEnvReason(name) !== undefined) {
        problems.push({
          path: ['allow_loader_env', index],
          message: `"${name}" may never be set by a policy; allow_loader_env cannot allow it`,
          at: 'value',
        });
      } else if (loaderEnvReason(name) === undefined) {
        problems.push({
          path: ['allow_loader_env', index],
          message: `"${name}" is not a variable that loads code; remove it from allow_loader_env`,
          at: 'value',
        });
      } else if (!isRecord(env) || !Object.hasOwn(env, name)) {
        problems.push({
          path: ['allow_loader_env', index],
          message: `"${name}" is not set in this command's env; remove it from allow_loader_env`,
          at: 'value',
        });
      }
    });
  }
  return problems;
}
