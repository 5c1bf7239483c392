import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The ironrun config folder (where trust records live): `@ironrun/policy`'s
 * `defaultConfigDir()` when it loads, else the same documented rule:
 * `$IRONRUN_CONFIG_DIR`, else `$XDG_CONFIG_HOME/ironrun`, else the platform
 * default.
 */
export async function ironrunConfigDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  if (env === process.env) {
    try {
      const policy = await import('@ironrun/policy');
      if (typeof policy.defaultConfigDir === 'function') return policy.defaultConfigDir();
    } catch {
      // fall through to the documented rule
    }
  }
  if (env.IRONRUN_CONFIG_DIR) return resolve(env.IRONRUN_CONFIG_DIR);
  if (env.XDG_CONFIG_HOME) return join(resolve(env.XDG_CONFIG_HOME), 'ironrun');
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'ironrun');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'ironrun');
  return join(homedir(), '.config', 'ironrun');
}
