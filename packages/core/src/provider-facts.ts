import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ProviderDeclaration } from '@ironrun/provider';
import { builtinDeclarations, providerRegistry } from './builtin-providers.js';

export { type SessionLocationContext, sessionLocationPaths } from './session-locations.js';

/** Where a provider is looked up: the project (for a third-party package in its `node_modules`). */
export interface ProviderFactsOptions {
  /** Absolute path of the project (the folder of `ironrun.yml`). */
  projectDir: string;
}

/**
 * What the provider `name` declares about its vendor (schemes, reference syntax, credential
 * variables, programs, secret files), from the provider registry: a built-in's from its
 * package.json, a third-party package's from its package.json in the project's
 * `node_modules`, **without importing it**. Throws `ProviderError` `LOAD` when it cannot be
 * learned.
 *
 * @example
 * const { credentials } = await providerDeclaration('doppler', { projectDir: '/repo' });
 * // [{ env: 'DOPPLER_TOKEN', option: 'token_env', input: 'doppler-token' }]
 */
export function providerDeclaration(
  name: string,
  options: ProviderFactsOptions,
): Promise<ProviderDeclaration> {
  return providerRegistry().declaration(name, options);
}

/**
 * What every built-in provider declares, by name, without importing any provider.
 *
 * @example
 * const names = Object.keys(builtinProviderDeclarations()); // ['envfile', 'doppler', …]
 */
export function builtinProviderDeclarations(): Readonly<Record<string, ProviderDeclaration>> {
  return builtinDeclarations();
}

/** Whether `name` is a provider that ships with ironrun (else a third-party package). */
export function isBuiltinProvider(name: string): boolean {
  return providerRegistry().isBuiltin(name);
}

/**
 * The credential variables one provider reads for a policy: each declared variable, or the
 * one its renaming option (`token_env`) names in `options` instead.
 *
 * @example
 * credentialVariables(declaration, { token_env: 'CI_DOPPLER' }); // ['CI_DOPPLER']
 */
export function credentialVariables(
  declaration: ProviderDeclaration,
  options: Readonly<Record<string, unknown>> = {},
): string[] {
  const names = declaration.credentials.map((credential) => {
    const renamed = credential.option === undefined ? undefined : options[credential.option];
    return typeof renamed === 'string' && renamed !== '' ? renamed : credential.env;
  });
  return [...new Set(names)];
}

/**
 * Whether `name` is a credential variable of any of `declarations`: a declared variable or
 * one starting with a declared prefix (`OP_SESSION_`).
 */
export function isCredentialVariable(
  name: string,
  declarations: Iterable<ProviderDeclaration>,
): boolean {
  for (const declaration of declarations) {
    if (declaration.credentials.some((credential) => credential.env === name)) return true;
    if (declaration.credentialPrefixes.some((prefix) => name.startsWith(prefix))) return true;
  }
  return false;
}

/**
 * The absolute paths of the secret files a provider reads for a policy (the envfile's
 * dotenv file): the path its option gives (`~/` is the home folder, a relative path is read
 * from the project folder), else its declared default inside the config folder.
 *
 * @example
 * secretFileLocations(declaration, policy.provider.options, { projectDir: policy.dir, configDir });
 * // ['/home/me/.config/ironrun/secrets.env']
 */
export function secretFileLocations(
  declaration: ProviderDeclaration,
  options: Readonly<Record<string, unknown>>,
  context: { projectDir: string; configDir: string },
): string[] {
  const paths: string[] = [];
  for (const file of declaration.secretFiles) {
    const given = options[file.option];
    if (typeof given === 'string' && given !== '') {
      if (given === '~' || given.startsWith('~/')) paths.push(join(homedir(), given.slice(1)));
      else paths.push(isAbsolute(given) ? resolve(given) : resolve(context.projectDir, given));
    } else if (file.default !== undefined) {
      paths.push(join(context.configDir, file.default));
    }
  }
  return paths;
}

/**
 * Every credential variable `declarations` declare, once each (not the renamed ones a policy
 * may choose; see {@link credentialVariables} for one provider under a policy).
 *
 * @example
 * declaredCredentialVariables(Object.values(builtinProviderDeclarations()));
 * // ['OP_SERVICE_ACCOUNT_TOKEN', 'OP_CONNECT_TOKEN', 'OP_SESSION', 'DOPPLER_TOKEN', …]
 */
export function declaredCredentialVariables(declarations: Iterable<ProviderDeclaration>): string[] {
  const names = new Set<string>();
  for (const declaration of declarations)
    for (const credential of declaration.credentials) names.add(credential.env);
  return [...names];
}
