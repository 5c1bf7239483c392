import type { ProviderDefinition, ResolveResult, SecretProvider } from '@ironrun/provider';

/** A loader of a provider module, as `runSealed({ providers })` takes them. */
export type ProviderLoader = () => Promise<unknown>;

/**
 * Wraps a provider loader so that `onValues` sees every value the provider
 * resolves, after the provider answers and before ironrun gets the values
 * (so before the command is spawned). The action uses it to register each
 * value with the runner's log masking ahead of the command's first byte of
 * output. Everything else about the provider is passed through unchanged:
 * its name, schemes, option parsing, errors and `dispose`.
 *
 * If `onValues` throws, the resolution fails and the command does not run.
 *
 * @example
 * const providers = { envfile: observeResolvedSecrets(() => import('@ironrun/providers-envfile'), (values) => values.forEach(core.setSecret)) };
 */
export function observeResolvedSecrets(
  load: ProviderLoader,
  onValues: (values: readonly string[]) => void,
): ProviderLoader {
  return async () => {
    const module = await load();
    const definition =
      typeof module === 'object' && module !== null
        ? (module as { provider?: unknown }).provider
        : undefined;
    // Anything that is not a provider definition is handed back untouched, so
    // the registry reports it with its own message.
    if (typeof definition !== 'object' || definition === null) return module;
    const { create } = definition as ProviderDefinition;
    if (typeof create !== 'function') return module;
    // Inherit from the definition, so every member it has (own or not) reads the same.
    const observed: ProviderDefinition = Object.create(definition);
    const observedCreate: ProviderDefinition['create'] = async (options, context) => {
      const provider = await create.call(definition, options, context);
      return observeProvider(provider, onValues);
    };
    // defineProperty, not assignment: a frozen definition makes an inherited `create` read-only.
    Object.defineProperty(observed, 'create', { enumerable: true, value: observedCreate });
    return { provider: observed };
  };
}

function observeProvider(
  provider: SecretProvider,
  onValues: (values: readonly string[]) => void,
): SecretProvider {
  const observed: SecretProvider = {
    name: provider.name,
    async resolve(refs, context) {
      const results: ResolveResult[] = await provider.resolve(refs, context);
      if (Array.isArray(results)) {
        onValues(
          results.flatMap((result) =>
            result?.found === true && typeof result.value === 'string' ? [result.value] : [],
          ),
        );
      }
      return results;
    },
  };
  if (typeof provider.dispose === 'function') observed.dispose = () => provider.dispose?.();
  return observed;
}
