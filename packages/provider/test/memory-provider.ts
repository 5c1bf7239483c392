import { abortable, ProviderError, type SecretProvider } from '../src/index.js';

/** Options of the in-memory test provider. */
export interface MemoryProviderOptions {
  secrets: Record<string, string>;
  /** A backend call that never settles (for abort tests). */
  hang?: boolean;
  /** A backend that fails: the provider rejects with AUTH. */
  fail?: boolean;
}

/** A correct provider over a map, resolving `mem://NAME`; the reference implementation the kit runs against. */
export function memoryProvider(options: MemoryProviderOptions): SecretProvider & {
  disposed: number;
} {
  let disposed = 0;
  const backend = async (): Promise<Record<string, string>> => {
    if (options.hang) return new Promise(() => {});
    if (options.fail) {
      throw new ProviderError('AUTH', 'memory: the test token was refused; set a valid token', {
        provider: 'memory',
      });
    }
    return { ...options.secrets };
  };
  return {
    name: 'memory',
    get disposed() {
      return disposed;
    },
    async resolve(refs, { signal }) {
      if (refs.length === 0) return [];
      signal.throwIfAborted();
      for (const ref of refs) {
        if (!/^mem:\/\/[A-Za-z_][A-Za-z0-9_]*$/.test(ref)) {
          throw new ProviderError(
            'INVALID_REFERENCE',
            `memory: ${ref} is not a valid reference; write mem://NAME`,
            { provider: 'memory', refs: [ref] },
          );
        }
      }
      const secrets = await abortable(backend(), signal, { provider: 'memory', refs });
      return refs.map((ref) => {
        const key = ref.slice('mem://'.length);
        return Object.hasOwn(secrets, key)
          ? { ref, found: true as const, value: secrets[key]! }
          : { ref, found: false as const, reason: `no secret named ${key}` };
      });
    },
    dispose() {
      disposed += 1;
    },
  };
}
