import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** A scheme name as a provider definition gives it: lower case, no `://`, at most 64 characters. */
const schemeName = /^[a-z][a-z0-9+.-]{0,63}$/;
/** The most schemes one package may declare; more is a mistake, not a provider. */
const maxSchemes = 64;
/** The largest package.json read, in bytes; a manifest is a few kilobytes. */
const maxManifestBytes = 1024 * 1024;

/** What a provider package's author adds to its package.json. */
const howToDeclare = `add "ironrun": { "schemes": ["<scheme>"] } to its package.json, listing the reference schemes its 'provider.schemes' claims (ask the provider's author, or reinstall a version that declares them)`;

/**
 * The reference schemes a found provider package declares in its package.json
 * (`"ironrun": { "schemes": [...] }`), read and checked without importing the package.
 */
export async function declaredSchemes(found: ProviderPackage): Promise<string[]> {
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
    text = await readFile(path, 'utf8');
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
  if (field === undefined) throw fail('does not declare its reference schemes');
  if (typeof field !== 'object' || field === null || Array.isArray(field)) {
    throw fail(`has an "ironrun" field that is not an object`);
  }
  const schemes: unknown = Object.hasOwn(field, 'schemes')
    ? (field as { schemes?: unknown }).schemes
    : undefined;
  if (schemes === undefined) throw fail(`has an "ironrun" field without "schemes"`);
  if (!Array.isArray(schemes) || schemes.length === 0 || schemes.length > maxSchemes) {
    throw fail(`has an "ironrun.schemes" that is not a list of 1 to ${maxSchemes} scheme names`);
  }
  const seen = new Set<string>();
  for (const item of schemes) {
    if (typeof item !== 'string' || !schemeName.test(item)) {
      const shown = typeof item === 'string' ? JSON.stringify(item.slice(0, 80)) : typeof item;
      throw fail(
        `declares ${shown} in "ironrun.schemes", which is not a scheme name (lower case, like "vault", without "://")`,
      );
    }
    if (seen.has(item)) throw fail(`declares the scheme "${item}" twice in "ironrun.schemes"`);
    seen.add(item);
  }
  return [...seen];
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
  const found = await resolveProviderPackage(name, { projectDir: options.projectDir });
  return declaredSchemes(found);
}
