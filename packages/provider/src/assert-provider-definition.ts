import type { ProviderDefinition } from './define-provider.js';
import { ProviderError } from './provider-error.js';

const scheme = /^[a-z][a-z0-9+.-]*$/;

function fail(source: string, what: string): ProviderError {
  return new ProviderError(
    'LOAD',
    `${source} is not a valid ironrun provider: ${what}. A provider module exports its definition as the named export 'provider': export const provider = defineProvider({ name, schemes, parseOptions, create })`,
  );
}

/**
 * Reads the named export `provider` of an imported module and checks it has the shape of a
 * {@link ProviderDefinition}; throws a `ProviderError` with code `LOAD` saying what is wrong.
 */
export function assertProviderDefinition(module: unknown, source: string): ProviderDefinition {
  if (typeof module !== 'object' || module === null) throw fail(source, 'the module is empty');
  const definition = (module as { provider?: unknown }).provider;
  if (definition === undefined) {
    const viaDefault = (module as { default?: { provider?: unknown } }).default;
    const hint =
      viaDefault !== undefined && viaDefault !== null
        ? ' (it has a default export; ironrun does not read default exports)'
        : '';
    throw fail(source, `it has no export named 'provider'${hint}`);
  }
  if (typeof definition !== 'object' || definition === null) {
    throw fail(source, `its 'provider' export is not an object`);
  }
  const { name, schemes, parseOptions, create } = definition as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim() === '') {
    throw fail(source, `'provider.name' must be a non-empty string`);
  }
  if (!Array.isArray(schemes) || schemes.length === 0) {
    throw fail(source, `'provider.schemes' must be a non-empty array of scheme names`);
  }
  for (const item of schemes) {
    if (typeof item !== 'string' || !scheme.test(item)) {
      throw fail(
        source,
        `'provider.schemes' entries must be lower-case scheme names without '://' (like 'envfile')`,
      );
    }
  }
  if (typeof parseOptions !== 'function') {
    throw fail(source, `'provider.parseOptions' must be a function`);
  }
  if (typeof create !== 'function') throw fail(source, `'provider.create' must be a function`);
  return definition as ProviderDefinition;
}
