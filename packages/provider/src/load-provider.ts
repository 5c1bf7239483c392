import { pathToFileURL } from 'node:url';
import { assertProviderDefinition } from './assert-provider-definition.js';
import type { ProviderDefinition } from './define-provider.js';
import { ProviderError } from './provider-error.js';
import { isProviderPackageName, providerPackagePrefix } from './provider-package-name.js';
import { declaredProvider } from './read-provider-schemes.js';
import { resolveProviderPackage } from './resolve-provider-package.js';

/** Options of {@link loadProvider}. */
export interface LoadProviderOptions {
  /**
   * Absolute path of the project (the folder of `ironrun.yml`). Third-party providers are
   * looked up in its `node_modules` (and its parents'), never in ironrun's own.
   */
  projectDir: string;
  /**
   * Built-in providers by name, each a function importing its module (whose named export
   * `provider` is the definition). `@ironrun/provider` depends on no provider, so the CLI
   * passes them: `{ envfile: () => import('@ironrun/providers-envfile') }`.
   * @default {}
   */
  builtins?: Record<string, () => Promise<unknown>>;
}

function causeSummary(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${name} ${code}` : name;
}

/**
 * Finds a provider by the name the policy gives (`provider:`) and returns its checked
 * definition. A name in `builtins` loads that built-in. Otherwise the name must be an npm
 * package following the convention `ironrun-provider-<name>` or
 * `@scope/ironrun-provider-<name>`; it is resolved from the project's `node_modules`, its
 * package.json must declare its reference schemes (`"ironrun": { "schemes": [...] }`, see
 * {@link readProviderSchemes}), it is imported, and its named export `provider` is checked,
 * including that `provider.schemes` are exactly the declared schemes. Every failure is a
 * {@link ProviderError} with code `LOAD` saying what to do.
 *
 * Loading a package runs its code with ironrun's privileges: only name packages you trust.
 * `ironrun trust` pins the policy naming it and the package's files
 * ({@link resolveProviderPackage}, {@link providerPackageFiles}).
 *
 * @example
 * const definition = await loadProvider(policy.provider.name, {
 *   projectDir: policy.dir,
 *   builtins: { envfile: () => import('@ironrun/providers-envfile') },
 * });
 */
export async function loadProvider(
  name: string,
  options: LoadProviderOptions,
): Promise<ProviderDefinition> {
  const builtins = options.builtins ?? {};
  if (typeof name !== 'string' || name === '') {
    throw new ProviderError('LOAD', 'the provider name is empty; set `provider:` in ironrun.yml');
  }
  if (Object.hasOwn(builtins, name)) {
    const load = builtins[name]!;
    let module: unknown;
    try {
      module = await load();
    } catch (error) {
      throw new ProviderError(
        'LOAD',
        `the built-in provider '${name}' could not be imported (${causeSummary(error)}); reinstall ironrun`,
        { provider: name, cause: error },
      );
    }
    return assertProviderDefinition(module, `the built-in provider '${name}'`);
  }

  const known = Object.keys(builtins);
  if (!isProviderPackageName(name)) {
    const list = known.length > 0 ? `built-in providers are ${known.join(', ')}; ` : '';
    throw new ProviderError(
      'LOAD',
      `unknown provider '${name}': ${list}a third-party provider is named by its npm package name, ${providerPackagePrefix}<name> or @scope/${providerPackagePrefix}<name> (never a file path)`,
      { provider: name },
    );
  }
  const found = await resolveProviderPackage(name, { projectDir: options.projectDir });
  // Read before the import: a package that does not declare its schemes is never run.
  const declared = (await declaredProvider(found)).schemes;

  let module: unknown;
  try {
    module = await import(pathToFileURL(found.entry).href);
  } catch (error) {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' (${found.entry}) failed to import (${causeSummary(error)}); the original error is kept as cause`,
      { provider: name, cause: error },
    );
  }
  const definition = assertProviderDefinition(module, `the provider package '${name}'`);
  const claimed = new Set(definition.schemes);
  if (claimed.size !== declared.length || declared.some((scheme) => !claimed.has(scheme))) {
    throw new ProviderError(
      'LOAD',
      `the provider package '${name}' declares the schemes [${declared.join(', ')}] in its package.json ("ironrun.schemes") but its 'provider.schemes' claims [${[...claimed].join(', ')}]; the policy was checked with the declared ones, so ironrun refuses it: make the two lists the same`,
      { provider: name },
    );
  }
  return definition;
}
