import { assertProviderDefinition } from './assert-provider-definition.js';
import type { ProviderDefinition } from './define-provider.js';
import { loadProvider } from './load-provider.js';
import {
  type ProviderDeclaration,
  parseProviderDeclaration,
  schemesOnlyDeclaration,
} from './provider-declaration.js';
import { ProviderError } from './provider-error.js';
import { isProviderPackageName } from './provider-package-name.js';
import { readProviderDeclaration } from './read-provider-schemes.js';

/**
 * A built-in provider: `load` imports its module (whose named export `provider` is the
 * definition); `manifest` imports its package.json, whose `ironrun` field declares its
 * vendor facts without loading the vendor SDK. A bare function is a `load` without a
 * manifest: its declaration is then only the schemes its definition claims.
 */
export type BuiltinProvider =
  | (() => Promise<unknown>)
  | { load: () => Promise<unknown>; manifest?: (() => Promise<unknown>) | undefined };

/** Options of {@link createProviderRegistry}. */
export interface ProviderRegistryOptions {
  /**
   * The built-in providers by the name a policy gives them (`provider: doppler`).
   * @default {}
   */
  builtins?: Readonly<Record<string, BuiltinProvider>> | undefined;
}

/** Where a third-party provider package is looked up. */
export interface RegistryLookup {
  /** Absolute path of the project (the folder of `ironrun.yml`). */
  projectDir: string;
}

/**
 * The one place ironrun learns about providers, built-in and third-party, by name: what
 * each declares (schemes, reference syntax, credentials, programs, secret files) and its
 * definition. Made by {@link createProviderRegistry}.
 */
export interface ProviderRegistry {
  /** The names of the built-in providers, in the order given. */
  readonly builtinNames: readonly string[];
  /** Whether `name` is a built-in provider. */
  isBuiltin(name: string): boolean;
  /**
   * What the provider `name` declares. A built-in's comes from its manifest (or, without
   * one, from its definition); a third-party package's from its package.json, **without
   * importing it**. Throws {@link ProviderError} `LOAD` when it cannot be learned.
   */
  declaration(name: string, lookup: RegistryLookup): Promise<ProviderDeclaration>;
  /**
   * What every built-in provider with a manifest declares, by name, without importing any
   * provider module. Loaded once and kept. A built-in known only by its loader is left
   * out: it is imported only when {@link ProviderRegistry.declaration} asks for it by name.
   */
  builtinDeclarations(): Promise<Readonly<Record<string, ProviderDeclaration>>>;
  /**
   * The checked definition of the provider `name` (imports it: run only after trust).
   * A built-in's definition must claim exactly the schemes its manifest declares.
   */
  load(name: string, lookup: RegistryLookup): Promise<ProviderDefinition>;
}

function loaderOf(builtin: BuiltinProvider): () => Promise<unknown> {
  return typeof builtin === 'function' ? builtin : builtin.load;
}

async function importBuiltin(name: string, load: () => Promise<unknown>): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    throw new ProviderError(
      'LOAD',
      `the built-in provider '${name}' could not be imported; reinstall ironrun`,
      { provider: name, cause: error },
    );
  }
}

async function manifestDeclaration(
  name: string,
  manifest: () => Promise<unknown>,
): Promise<ProviderDeclaration> {
  const module = await importBuiltin(name, manifest);
  const json =
    typeof module === 'object' && module !== null && 'default' in module
      ? (module as { default: unknown }).default
      : module;
  const field =
    typeof json === 'object' && json !== null && Object.hasOwn(json, 'ironrun')
      ? (json as { ironrun: unknown }).ironrun
      : undefined;
  return parseProviderDeclaration(
    field,
    (what) =>
      new ProviderError('LOAD', `the built-in provider '${name}' ${what}; reinstall ironrun`, {
        provider: name,
      }),
  );
}

function sameSchemes(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((scheme) => set.has(scheme));
}

/**
 * Creates the {@link ProviderRegistry} for a set of built-in providers; any other name is
 * a third-party package (`ironrun-provider-<x>` or `@scope/ironrun-provider-<x>`) found in
 * the project's `node_modules`, exactly as {@link loadProvider} finds it.
 *
 * @example
 * const registry = createProviderRegistry({
 *   builtins: {
 *     envfile: {
 *       load: () => import('@ironrun/providers-envfile'),
 *       manifest: () => import('@ironrun/providers-envfile/package.json', { with: { type: 'json' } }),
 *     },
 *   },
 * });
 * const { schemes } = await registry.declaration('envfile', { projectDir: '/repo' });
 */
export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const builtins: Readonly<Record<string, BuiltinProvider>> = options.builtins ?? {};
  const builtinNames = Object.keys(builtins);
  const loaders = Object.fromEntries(
    builtinNames.map((name) => [name, loaderOf(builtins[name]!)] as const),
  );
  const known = new Map<string, Promise<ProviderDeclaration>>();
  let all: Promise<Record<string, ProviderDeclaration>> | undefined;

  const builtinDeclaration = (name: string): Promise<ProviderDeclaration> => {
    let pending = known.get(name);
    if (pending === undefined) {
      const builtin = builtins[name]!;
      pending =
        typeof builtin !== 'function' && builtin.manifest !== undefined
          ? manifestDeclaration(name, builtin.manifest)
          : importBuiltin(name, loaderOf(builtin)).then((module) =>
              schemesOnlyDeclaration(
                assertProviderDefinition(module, `the built-in provider '${name}'`).schemes,
              ),
            );
      // A failed load is not kept: the next call tries again.
      pending.catch(() => known.delete(name));
      known.set(name, pending);
    }
    return pending;
  };

  const isBuiltin = (name: string) => Object.hasOwn(builtins, name);

  return {
    builtinNames,
    isBuiltin,
    async declaration(name, lookup) {
      if (isBuiltin(name)) return builtinDeclaration(name);
      if (!isProviderPackageName(name)) {
        // loadProvider says what a provider name must look like.
        await loadProvider(name, { projectDir: lookup.projectDir, builtins: loaders });
      }
      return readProviderDeclaration(name, { projectDir: lookup.projectDir });
    },
    builtinDeclarations() {
      const withManifest = builtinNames.filter((name) => {
        const builtin = builtins[name]!;
        return typeof builtin !== 'function' && builtin.manifest !== undefined;
      });
      all ??= Promise.all(
        withManifest.map(async (name) => [name, await builtinDeclaration(name)] as const),
      ).then(Object.fromEntries);
      all.catch(() => {
        all = undefined;
      });
      return all;
    },
    async load(name, lookup) {
      const definition = await loadProvider(name, {
        projectDir: lookup.projectDir,
        builtins: loaders,
      });
      if (!isBuiltin(name)) return definition;
      const declared = (await builtinDeclaration(name)).schemes;
      if (!sameSchemes(declared, definition.schemes)) {
        throw new ProviderError(
          'LOAD',
          `the built-in provider '${name}' declares the schemes [${declared.join(', ')}] in its package.json but its definition claims [${definition.schemes.join(', ')}]; reinstall ironrun`,
          { provider: name },
        );
      }
      return definition;
    },
  };
}
