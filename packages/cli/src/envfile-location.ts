import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where the envfile provider reads its secrets for a policy: its `path`
 * option (`~/` is the home folder, relative paths are read from the project
 * folder), else `<configDir>/secrets.env` — the envfile provider's own rule.
 * `undefined` for any other provider.
 */
export function envfileLocation(
  provider: { name: string; options: Record<string, unknown> },
  context: { projectDir: string; configDir: string },
): string | undefined {
  if (provider.name !== 'envfile') return undefined;
  const path = provider.options.path;
  if (typeof path !== 'string' || path === '') return join(context.configDir, 'secrets.env');
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? resolve(path) : resolve(context.projectDir, path);
}
