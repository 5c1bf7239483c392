import { defineProvider, loadProvider, type ProviderDefinition } from '@ironrun/provider';
import { describe, expect, it } from 'vitest';
import { observeResolvedSecrets } from './observe-resolved-secrets.js';

const vault: Record<string, string> = {
  'fake://a': 'value-of-a-123',
  'fake://b': 'value-of-b-456',
};

function fakeProvider(onDispose: () => void = () => {}) {
  return Object.freeze(
    defineProvider({
      name: 'fake',
      schemes: ['fake'],
      parseOptions: (raw) => ({ ...raw, parsed: true }),
      create: () => ({
        name: 'fake',
        async resolve(refs) {
          return refs.map((ref) =>
            vault[ref] === undefined
              ? { ref, found: false as const }
              : { ref, found: true as const, value: vault[ref] },
          );
        },
        dispose: onDispose,
      }),
    }),
  );
}

const context = { projectDir: '/tmp', env: {}, configDir: '/tmp', timeoutMs: 1000 };
const signal = new AbortController().signal;

describe('observeResolvedSecrets', () => {
  it('hands every found value to the observer before the caller gets the results', async () => {
    const events: string[] = [];
    const load = observeResolvedSecrets(
      async () => ({ provider: fakeProvider() }),
      (values) => events.push(`observed ${values.join(',')}`),
    );
    const definition = await loadProvider('fake', { projectDir: '/tmp', builtins: { fake: load } });
    const provider = await definition.create(definition.parseOptions({}), context);
    const results = await provider.resolve(['fake://a', 'fake://missing', 'fake://b'], { signal });
    events.push('caller');
    expect(events).toEqual(['observed value-of-a-123,value-of-b-456', 'caller']);
    expect(results.map((result) => result.found)).toEqual([true, false, true]);
  });

  it('passes the definition through unchanged, even a frozen one', async () => {
    const original = fakeProvider();
    const load = observeResolvedSecrets(
      async () => ({ provider: original }),
      () => {},
    );
    const { provider } = (await load()) as { provider: ProviderDefinition };
    expect(provider.name).toBe('fake');
    expect(provider.schemes).toEqual(['fake']);
    expect(provider.parseOptions({ x: 1 })).toEqual({ x: 1, parsed: true });
    expect(provider.create).not.toBe(original.create);
  });

  it('keeps dispose', async () => {
    let disposed = 0;
    const load = observeResolvedSecrets(
      async () => ({ provider: fakeProvider(() => disposed++) }),
      () => {},
    );
    const { provider } = (await load()) as { provider: ProviderDefinition };
    const instance = await provider.create({}, context);
    await instance.dispose?.();
    expect(disposed).toBe(1);
  });

  it('fails the resolution when the observer fails, so the command cannot run unmasked', async () => {
    const load = observeResolvedSecrets(
      async () => ({ provider: fakeProvider() }),
      () => {
        throw new Error('could not register masks');
      },
    );
    const { provider } = (await load()) as { provider: ProviderDefinition };
    const instance = await provider.create({}, context);
    await expect(instance.resolve(['fake://a'], { signal })).rejects.toThrow(
      'could not register masks',
    );
  });

  it('hands back a module without a provider untouched, for the registry to report', async () => {
    const module = { default: { provider: fakeProvider() } };
    const load = observeResolvedSecrets(
      async () => module,
      () => {},
    );
    expect(await load()).toBe(module);
    await expect(
      loadProvider('fake', { projectDir: '/tmp', builtins: { fake: load } }),
    ).rejects.toThrow(/default export/);
  });
});
