import { join } from 'node:path';
import type { ProviderDeclaration } from '@ironrun/provider';
import { describe, expect, it } from 'vitest';
import {
  builtinProviderDeclarations,
  declaredCredentialVariables,
  sessionLocationPaths,
} from './provider-facts.js';

const home = '/home/me';

function declaring(sessionLocations: ProviderDeclaration['sessionLocations']): ProviderDeclaration {
  return {
    schemes: ['vault'],
    references: {},
    credentials: [],
    credentialPrefixes: [],
    programs: [],
    secretFiles: [],
    sessionLocations,
  };
}

describe('sessionLocationPaths', () => {
  it('resolves {home}, {xdgConfig} (XDG_CONFIG_HOME, else ~/.config) and a set {env}', () => {
    const vault = declaring([
      { path: '{home}/.vault', reason: 'tokens' },
      { path: '{xdgConfig}/vault', reason: 'sessions' },
      { path: '{env}/cfg', env: 'VAULT_DIR', reason: 'named' },
    ]);
    expect(sessionLocationPaths([vault], { env: {}, home })).toEqual([
      { path: '/home/me/.vault', reason: 'tokens' },
      { path: '/home/me/.config/vault', reason: 'sessions' },
    ]);
    expect(
      sessionLocationPaths([vault], {
        env: { XDG_CONFIG_HOME: '/xdg', VAULT_DIR: '/opt/v' },
        home,
      }),
    ).toEqual([
      { path: '/home/me/.vault', reason: 'tokens' },
      { path: '/xdg/vault', reason: 'sessions' },
      { path: '/opt/v/cfg', reason: 'named' },
    ]);
  });

  it('leaves out an {env} location whose variable is empty, and lists a path once', () => {
    const a = declaring([
      { path: '{env}', env: 'VAULT_DIR', reason: 'named' },
      { path: '{xdgConfig}/op', reason: 'first' },
    ]);
    const b = declaring([{ path: '{home}/.config/op', reason: 'second' }]);
    expect(sessionLocationPaths([a, b], { env: { VAULT_DIR: '' }, home })).toEqual([
      { path: '/home/me/.config/op', reason: 'first' },
    ]);
  });

  // The built-in providers declare what the CLI's own table held before (1Password's folders
  // under XDG and ~/.config, ~/.op and $OP_CONFIG_DIR; ~/.doppler; ~/.infisical).
  it('gives the vault CLI folders the built-in providers declare', () => {
    const paths = sessionLocationPaths(Object.values(builtinProviderDeclarations()), {
      env: { XDG_CONFIG_HOME: '/xdg', OP_CONFIG_DIR: 'relative/op' },
      home,
    }).map((location) => location.path);
    expect(paths.sort()).toEqual(
      [
        '/xdg/op',
        '/home/me/.config/op',
        '/home/me/.op',
        join(process.cwd(), 'relative/op'),
        '/home/me/.doppler',
        '/home/me/.infisical',
      ].sort(),
    );
  });
});

describe('declaredCredentialVariables', () => {
  it('lists each declared variable once, across providers', () => {
    const names = declaredCredentialVariables(Object.values(builtinProviderDeclarations()));
    expect(names).toEqual(expect.arrayContaining(['DOPPLER_TOKEN', 'OP_SERVICE_ACCOUNT_TOKEN']));
    expect(new Set(names).size).toBe(names.length);
  });
});
