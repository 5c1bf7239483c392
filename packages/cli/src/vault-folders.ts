import { join, resolve } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The credential and session locations each built-in provider's vault CLI
 * keeps (the 1Password, Doppler and Infisical CLIs), as candidate paths.
 *
 * It imports nothing but `node:path`: the guard reads it on every call.
 * This is the one function to swap for the provider registry's declarations
 * once providers declare their secret locations.
 */
export function providerSecretLocations(
  env: Env,
  home: string,
): { path: string; reason: string }[] {
  const configHome = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(home, '.config');
  return [
    { path: join(configHome, 'op'), reason: '1Password CLI config and sessions' },
    { path: join(home, '.config', 'op'), reason: '1Password CLI config and sessions' },
    { path: join(home, '.op'), reason: '1Password CLI config (older versions)' },
    ...(env.OP_CONFIG_DIR
      ? [{ path: resolve(env.OP_CONFIG_DIR), reason: '1Password CLI config ($OP_CONFIG_DIR)' }]
      : []),
    { path: join(home, '.doppler'), reason: 'Doppler CLI config and tokens' },
    { path: join(home, '.infisical'), reason: 'Infisical CLI config and sessions' },
  ];
}
