// `fs.promises` looked up at each call: `ironrun run`'s bundle holds this file, and only a
// third-party provider calls it, so a run without one never loads node:fs/promises.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { type ProviderDeclaration, parseProviderDeclaration } from './provider-declaration.js';
import { ProviderError } from './provider-error.js';
import { type ProviderPackage, resolveProviderPackage } from './resolve-provider-package.js';

/** Options of {@link readProviderSchemes}. */
export interface ReadProviderSchemesOptions {
  /**
   * Absolute path of the project (the folder of `ironrun.yml`). The package is looked up in
   * its `node_modules` and its parents', as {@link loadProvider} does.
   */
  projectDir: string;
}

/** The largest package.json read, in bytes; a manifest is a few kilobytes. */
const maxManifestBytes = 1024 * 1024;

/** What a provider package's author adds to its package.json. */
const howToDeclare = `add "ironrun": { "schemes": ["<scheme>"] } to its package.json, listing the reference schemes its 'provider.schemes' claims (ask the provider's author, or reinstall a version that declares them)`;

/**
 * What a found provider package declares in its package.json (`"ironrun": { "schemes":
 * [...], ... }`), read and checked without importing the package.
 */
export async function declaredProvider(found: ProviderPackage): Promise<ProviderDeclaration> {
  const { name, dir } = found;
  const path = join(dir, 'package.json');
  const fail = (what: string, cause?: unknown): ProviderError =>
    new ProviderError(
      'LOAD',
      `the provider package '${name}' (${path}) ${what}; ${howToDeclare}`,
      cause === undefined ? { provider: name } : { provider: name, cause },
    );
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' has no readable package.json at ${path}; reinstall it`,
      { provider: name, cause: error },
    );
  }
  if (text.length > maxManifestBytes) {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' has a package.json over ${maxManifestBytes} bytes at ${path}; reinstall it`,
      { provider: name },
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' has an unreadable package.json at ${path}; reinstall it`,
      { provider: name, cause: error },
    );
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw fail('has a package.json that is not a JSON object');
  }
  const field: unknown = Object.hasOwn(manifest, 'ironrun')
    ? (manifest as { ironrun?: unknown }).ironrun
    : undefined;
  return parseProviderDeclaration(field, (what) => fail(what));
}

/**
 * The reference schemes (`['vault']` for `vault://…`) the third-party provider package
 * `name` declares in its package.json, `"ironrun": { "schemes": ["vault"] }`, found as
 * {@link loadProvider} finds the package but **without importing it**: no code of the
 * package runs. `ironrun check` and `ironrun trust` use it to validate a policy whose
 * provider an agent may have edited; {@link loadProvider} later refuses a package whose
 * definition claims other schemes than it declares.
 *
 * Throws {@link ProviderError} `LOAD` when the package is not installed, or its
 * package.json is missing, unreadable, or does not declare a non-empty list of distinct
 * scheme names (the message says what to add).
 *
 * @example
 * const schemes = await readProviderSchemes('ironrun-provider-vault', { projectDir: '/repo' });
 * // ['vault']
 */
export async function readProviderSchemes(
  name: string,
  options: ReadProviderSchemesOptions,
): Promise<string[]> {
  return (await readProviderDeclaration(name, options)).schemes;
}

/**
 * Everything the third-party provider package `name` declares in the `ironrun` field of its
 * package.json (schemes, reference syntax, credential variables, programs, secret files),
 * found as {@link loadProvider} finds the package but **without importing it**. Throws
 * {@link ProviderError} `LOAD` as {@link readProviderSchemes} does, and for a malformed
 * optional entry.
 *
 * @example
 * const { credentials } = await readProviderDeclaration('ironrun-provider-vault', { projectDir: '/repo' });
 */
export async function readProviderDeclaration(
  name: string,
  options: ReadProviderSchemesOptions,
): Promise<ProviderDeclaration> {
  const found = await resolveProviderPackage(name, { projectDir: options.projectDir });
  return declaredProvider(found);
}
