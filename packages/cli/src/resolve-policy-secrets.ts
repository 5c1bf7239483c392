import type { Policy } from '@ironrun/core';
import { builtinProviders } from './builtin-providers.js';

/** Where one secret reference is used: which command, under which variable name. */
export interface ReferenceUse {
  readonly commandId: string;
  readonly name: string;
}

/** The outcome for one reference. `value` is held in memory only, never printed. */
export type ResolvedReference =
  | { ref: string; uses: ReferenceUse[]; found: true; value: string }
  | { ref: string; uses: ReferenceUse[]; found: false; reason?: string };

/** Every secret reference of a policy and where it is used, in policy order. */
export function policyReferences(policy: Policy): Map<string, ReferenceUse[]> {
  const refs = new Map<string, ReferenceUse[]>();
  for (const command of policy.commands) {
    for (const [name, value] of Object.entries(command.env)) {
      if (value.kind !== 'secret') continue;
      const uses = refs.get(value.ref) ?? [];
      uses.push({ commandId: command.id, name });
      refs.set(value.ref, uses);
    }
  }
  return refs;
}

/**
 * Resolves every secret reference of the policy through its provider (built-in
 * or a provider package from the project's `node_modules`), for `check
 * --providers` and `audit`. Provider errors propagate as `ProviderError`.
 */
export async function resolvePolicySecrets(
  policy: Policy,
  options: {
    env: Readonly<Record<string, string | undefined>>;
    configDir: string;
    timeoutMs?: number;
  },
): Promise<ResolvedReference[]> {
  const uses = policyReferences(policy);
  const refs = [...uses.keys()];
  if (refs.length === 0) return [];
  const { loadProvider, resolveWithTimeout } = await import('@ironrun/core');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const definition = await loadProvider(policy.provider.name, {
    projectDir: policy.dir,
    builtins: { ...builtinProviders },
  });
  const parsed = definition.parseOptions(policy.provider.options);
  const provider = await definition.create(parsed, {
    projectDir: policy.dir,
    env: options.env,
    configDir: options.configDir,
    timeoutMs,
  });
  try {
    const results = await resolveWithTimeout(provider, refs, { timeoutMs });
    return results.map((result) =>
      result.found
        ? { ref: result.ref, uses: uses.get(result.ref) ?? [], found: true, value: result.value }
        : {
            ref: result.ref,
            uses: uses.get(result.ref) ?? [],
            found: false,
            ...(result.reason === undefined ? {} : { reason: result.reason }),
          },
    );
  } finally {
    try {
      await provider.dispose?.();
    } catch {
      // cleanup failures do not change the answer
    }
  }
}
