import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ProviderError } from '@ironrun/provider';

/** The `provider_options` of the envfile provider. */
export interface EnvfileOptions {
  /**
   * The dotenv file holding the secrets. A relative path is resolved against the project
   * folder; `~/` is the user's home. Keep it outside any repository.
   * @default '<config dir>/secrets.env' (e.g. ~/.config/ironrun/secrets.env)
   */
  path?: string;
}

const known = new Set(['path']);

/** Checks the raw options from the policy; throws `ProviderError` `CONFIG` naming the problem. */
export function parseEnvfileOptions(raw: Record<string, unknown>): EnvfileOptions {
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      throw new ProviderError(
        'CONFIG',
        `envfile: unknown option '${key}'; the only option is 'path' (the dotenv file to read)`,
        { provider: 'envfile' },
      );
    }
  }
  const { path } = raw;
  if (path === undefined) return {};
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) {
    throw new ProviderError(
      'CONFIG',
      `envfile: option 'path' must be a non-empty file path, like ~/.config/ironrun/secrets.env`,
      { provider: 'envfile' },
    );
  }
  return { path };
}

/** Where the secrets file is: `options.path` resolved, or `<configDir>/secrets.env`. */
export function envfilePath(
  options: EnvfileOptions,
  context: { projectDir: string; configDir: string },
): string {
  const { path } = options;
  if (path === undefined) return join(context.configDir, 'secrets.env');
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? resolve(path) : resolve(context.projectDir, path);
}
