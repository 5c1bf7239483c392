import { join, resolve } from 'node:path';
import type { ProviderDeclaration } from '@ironrun/provider';

// Imports nothing but node:path (and a type): the guard hook bundles it through `./paths` and
// resolves the cached declarations with it on every call.

/** Where {@link sessionLocationPaths} resolves `{home}`, `{xdgConfig}` and `{env}`. */
export interface SessionLocationContext {
  /** The environment: `XDG_CONFIG_HOME` and the variables `{env}` locations name. */
  env: Readonly<Record<string, string | undefined>>;
  /** The home folder, absolute. */
  home: string;
}

/**
 * The absolute paths of the session locations `declarations` declare (the vendor CLIs'
 * config, token and session folders), each with its reason, in declaration order, once per
 * path. `{xdgConfig}` is `$XDG_CONFIG_HOME` when it is set, else `{home}/.config`; an
 * `{env}` location whose variable is unset or empty is left out (there is nothing named).
 *
 * @example
 * sessionLocationPaths([doppler], { env: {}, home: '/home/me' });
 * // [{ path: '/home/me/.doppler', reason: 'Doppler CLI config and tokens' }]
 */
export function sessionLocationPaths(
  declarations: Iterable<Pick<ProviderDeclaration, 'sessionLocations'>>,
  context: SessionLocationContext,
): { path: string; reason: string }[] {
  const { env, home } = context;
  const xdgConfig = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(home, '.config');
  const found = new Map<string, { path: string; reason: string }>();
  for (const declaration of declarations) {
    for (const location of declaration.sessionLocations) {
      const slash = location.path.indexOf('/');
      const base = slash === -1 ? location.path : location.path.slice(0, slash);
      const rest = slash === -1 ? '' : location.path.slice(slash + 1);
      let root: string | undefined;
      if (base === '{home}') root = home;
      else if (base === '{xdgConfig}') root = xdgConfig;
      else if (base === '{env}' && location.env !== undefined) {
        const named = env[location.env];
        root = named ? resolve(named) : undefined;
      }
      if (root === undefined) continue;
      const path = rest === '' ? root : join(root, rest);
      if (!found.has(path)) found.set(path, { path, reason: location.reason });
    }
  }
  return [...found.values()];
}
