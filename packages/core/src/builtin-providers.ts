import {
  type BuiltinProvider,
  createProviderRegistry,
  type ProviderDeclaration,
  ProviderError,
  type ProviderRegistry,
  parseProviderDeclaration,
} from '@ironrun/provider';
import onePassword from '@ironrun/providers-1password/package.json' with { type: 'json' };
import doppler from '@ironrun/providers-doppler/package.json' with { type: 'json' };
import envfile from '@ironrun/providers-envfile/package.json' with { type: 'json' };
import infisical from '@ironrun/providers-infisical/package.json' with { type: 'json' };

/**
 * The providers that ship with ironrun, by the name a policy gives them. Only the package
 * names are listed here: what each knows about its vendor is declared in its own
 * package.json (`ironrun`), imported as JSON without loading the vendor SDK, and the SDK
 * is imported (`load`) only when a policy names the provider. Each import is static, so a
 * bundler (the GitHub Action, the single-file binary) inlines them.
 */
const manifests: Readonly<Record<string, { ironrun?: unknown }>> = {
  envfile,
  doppler,
  infisical,
  '1password': onePassword,
};

const builtinProviders: Readonly<Record<string, BuiltinProvider>> = {
  envfile: { load: () => import('@ironrun/providers-envfile'), manifest: async () => envfile },
  doppler: { load: () => import('@ironrun/providers-doppler'), manifest: async () => doppler },
  infisical: {
    load: () => import('@ironrun/providers-infisical'),
    manifest: async () => infisical,
  },
  '1password': {
    load: () => import('@ironrun/providers-1password'),
    manifest: async () => onePassword,
  },
};

let declared: Readonly<Record<string, ProviderDeclaration>> | undefined;

/**
 * What every built-in provider declares in its package.json, by name, checked once. It is
 * synchronous: the manifests are imported with core (a few kilobytes of JSON, no SDK).
 */
export function builtinDeclarations(): Readonly<Record<string, ProviderDeclaration>> {
  declared ??= Object.freeze(
    Object.fromEntries(
      Object.entries(manifests).map(([name, manifest]) => [
        name,
        parseProviderDeclaration(
          manifest.ironrun,
          (what) =>
            new ProviderError(
              'LOAD',
              `the built-in provider '${name}' ${what}; reinstall ironrun`,
              {
                provider: name,
              },
            ),
        ),
      ]),
    ),
  );
  return declared;
}

const defaultRegistry = createProviderRegistry({ builtins: builtinProviders });
const overridden = new WeakMap<object, ProviderRegistry>();

/**
 * The provider registry of a run: the built-in providers, with `overrides` (module loaders
 * by name, as `runSealed({ providers })` takes them) replacing or adding built-ins. An
 * override of a built-in keeps that built-in's manifest, so its declared reference syntax
 * still applies and the override is imported only when the run needs it.
 */
export function providerRegistry(
  overrides?: Readonly<Record<string, () => Promise<unknown>>> | undefined,
): ProviderRegistry {
  if (overrides === undefined || Object.keys(overrides).length === 0) return defaultRegistry;
  let registry = overridden.get(overrides);
  if (registry === undefined) {
    const builtins: Record<string, BuiltinProvider> = { ...builtinProviders };
    for (const [name, load] of Object.entries(overrides)) {
      const builtin = builtinProviders[name];
      builtins[name] =
        builtin === undefined || typeof builtin === 'function'
          ? load
          : { load, manifest: builtin.manifest };
    }
    registry = createProviderRegistry({ builtins });
    overridden.set(overrides, registry);
  }
  return registry;
}
