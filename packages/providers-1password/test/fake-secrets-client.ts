import type { OnePasswordSecretsClient, ResolveAllEntry } from '../src/secrets-client.js';

/** An in-memory stand-in for `client.secrets` of `@1password/sdk`, answering like `resolveAll`. */
export interface FakeSecretsClient extends OnePasswordSecretsClient {
  /** Every batch `resolveAll` received. */
  calls: string[][];
}

/** `vaults` maps vault → item → field (or `section/field`) → value. */
export function fakeSecretsClient(
  vaults: Record<string, Record<string, Record<string, string>>>,
  options: { errors?: Record<string, string>; hang?: boolean; throws?: unknown } = {},
): FakeSecretsClient {
  const calls: string[][] = [];
  return {
    calls,
    async resolveAll(refs) {
      calls.push([...refs]);
      if (options.hang) return new Promise(() => {});
      if (options.throws !== undefined) throw options.throws;
      const individualResponses: Record<string, ResolveAllEntry> = {};
      for (const ref of refs) {
        const forced = options.errors?.[ref];
        if (forced !== undefined) {
          individualResponses[ref] = { error: { type: forced } };
          continue;
        }
        const [vault, item, ...field] = ref.slice('op://'.length).split('?')[0]!.split('/');
        const items = vaults[vault!];
        const fields = items?.[item!];
        const value = fields?.[field.join('/')];
        individualResponses[ref] =
          items === undefined
            ? { error: { type: 'vaultNotFound' } }
            : fields === undefined
              ? { error: { type: 'itemNotFound' } }
              : value === undefined
                ? { error: { type: 'fieldNotFound' } }
                : {
                    content: { secret: value, itemId: 'item-id', vaultId: 'vault-id' } as {
                      secret: string;
                    },
                  };
      }
      return { individualResponses };
    },
  };
}
