import { isAbsolute } from 'node:path';
import { ProviderError } from './provider-error.js';
import { isProviderPackageName, providerPackagePrefix } from './provider-package-name.js';
import { resolvePackageEntry } from './resolve-package-entry.js';

/** Options of {@link resolveProviderPackage}. */
export interface ResolveProviderPackageOptions {
  /**
   * Absolute path of the project (the folder of `ironrun.yml`). The package is looked up in
   * its `node_modules` and its parents', as Node does, never in ironrun's own.
   */
  projectDir: string;
}

/** A third-party provider package as {@link loadProvider} finds it. */
export interface ProviderPackage {
  /** The package name the policy gives, e.g. `ironrun-provider-vault`. */
  name: string;
  /** The real path of the package's folder. */
  dir: string;
  /** The real path of the file `loadProvider` imports, inside `dir`. */
  entry: string;
  /**
   * Absolute paths outside the package's files whose state decided where it was found: the
   * folders and symlinks walked to reach `dir`, the `package.json` of each `node_modules`
   * searched before it (absent), and each entry candidate tried before `entry` (absent).
   * `ironrun trust` pins them beside {@link providerPackageFiles}, so that neither
   * shadowing the package nor re-pointing its symlink goes unnoticed.
   */
  decidedBy: string[];
}

/**
 * Finds the third-party provider package `name` (`ironrun-provider-<x>` or
 * `@scope/ironrun-provider-<x>`) exactly as {@link loadProvider} does, without importing
 * it. `ironrun trust` uses it to pin the package, which runs inside ironrun with the
 * vault credentials and the secret values in hand. Throws {@link ProviderError} `LOAD`
 * when the name is not a provider package name, or it is not installed or has no entry.
 *
 * @example
 * const found = await resolveProviderPackage('ironrun-provider-vault', { projectDir: policy.dir });
 * const pins = [...(await providerPackageFiles(found.dir)), ...found.decidedBy];
 */
export async function resolveProviderPackage(
  name: string,
  options: ResolveProviderPackageOptions,
): Promise<ProviderPackage> {
  if (typeof name !== 'string' || !isProviderPackageName(name)) {
    throw new ProviderError(
      'LOAD',
      `'${String(name).slice(0, 200)}' is not a provider package name: a third-party provider is named by its npm package name, ${providerPackagePrefix}<name> or @scope/${providerPackagePrefix}<name> (never a file path)`,
      { provider: String(name) },
    );
  }
  if (typeof options.projectDir !== 'string' || !isAbsolute(options.projectDir)) {
    throw new ProviderError('LOAD', 'projectDir must be an absolute path', { provider: name });
  }
  const found = await resolvePackageEntry(name, options.projectDir);
  if (!('kind' in found)) {
    return { name, dir: found.packageDir, entry: found.entry, decidedBy: found.decidedBy };
  }
  if (found.kind === 'not-installed') {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' is not installed in ${options.projectDir}; install it there (npm install --save-dev ${name}) and run again`,
      { provider: name },
    );
  }
  if (found.kind === 'bad-package-json') {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' at ${found.packageDir} has an unreadable package.json; reinstall it`,
      { provider: name },
    );
  }
  throw new ProviderError(
    'LOAD',
    `the provider package '${name}' at ${found.packageDir} cannot be imported: ${found.detail}; build or reinstall it`,
    { provider: name },
  );
}
