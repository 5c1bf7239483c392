import { abortable, ProviderError, type SecretProvider } from '@ironrun/provider';

const reference = /^example:\/\/([A-Za-z_][A-Za-z0-9_]*)$/;

/** The backend: anything that returns the name-to-value map (a file read, an HTTP call…). */
export type LoadSecrets = (signal: AbortSignal) => Promise<Record<string, unknown>>;

/**
 * Builds the provider around a backend. Keeping the backend behind one function lets the
 * tests swap in one that hangs or fails.
 */
export function createExampleProvider(load: LoadSecrets): SecretProvider {
  return {
    name: 'example',
    async resolve(refs, { signal }) {
      if (refs.length === 0) return [];
      // 1. Validate every reference offline, before any backend call.
      const names = refs.map((ref) => {
        const match = reference.exec(ref);
        if (match === null) {
          throw new ProviderError(
            'INVALID_REFERENCE',
            `example: ${ref} is not a valid reference; write example://NAME`,
            { provider: 'example', refs: [ref] },
          );
        }
        return match[1]!;
      });
      // 2. One backend call for the whole batch, abandoned as soon as the signal aborts.
      const secrets = await abortable(load(signal), signal, { provider: 'example', refs });
      // 3. One result per reference, in order; a missing name is found: false, not an error.
      return refs.map((ref, index) => {
        const value = Object.hasOwn(secrets, names[index]!) ? secrets[names[index]!] : undefined;
        return typeof value === 'string'
          ? { ref, found: true as const, value }
          : { ref, found: false as const, reason: `${names[index]} is not in the example file` };
      });
    },
    // Nothing to release here; a real provider closes its client. Safe to call twice.
    dispose() {},
  };
}
