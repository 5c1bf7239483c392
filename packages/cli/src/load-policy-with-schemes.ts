import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Policy } from '@ironrun/policy';
import { builtinProviders } from './builtin-providers.js';

/**
 * The provider name of a policy text, read from its top-level `provider:` key
 * (`provider: name` or `provider:` + `name: x`), without parsing the policy.
 */
export function providerNameOf(text: string): string | undefined {
  const inline = /^provider:[ \t]*["']?([^\s"'#{]+)["']?[ \t]*(#.*)?$/m.exec(text);
  if (inline?.[1] !== undefined) return inline[1];
  const block = /^provider:[ \t]*(?:#.*)?\r?\n((?:[ \t]+.*\r?\n?|[ \t]*\r?\n)*)/m.exec(text);
  const name =
    block?.[1] === undefined ? undefined : /^[ \t]+name:[ \t]*["']?([^\s"'#]+)/m.exec(block[1]);
  return name?.[1];
}

/**
 * The reference schemes a third-party provider claims, so that a policy using
 * `vault://…` references validates. Built-in providers' schemes are known to
 * the policy package already; a provider that fails to load claims none (the
 * policy then reports the unknown scheme).
 */
export async function providerSchemes(policyPath: string, text?: string): Promise<string[]> {
  const source = text ?? (await readFile(policyPath, 'utf8'));
  const name = providerNameOf(source);
  if (name === undefined || Object.hasOwn(builtinProviders, name)) return [];
  try {
    const { loadProvider } = await import('@ironrun/provider');
    const definition = await loadProvider(name, {
      projectDir: dirname(policyPath),
      builtins: { ...builtinProviders },
    });
    return [...definition.schemes];
  } catch {
    return [];
  }
}

/** Loads a policy, first asking a third-party provider which reference schemes it claims. */
export async function loadPolicyWithSchemes(policyPath: string): Promise<Policy> {
  const { loadPolicy } = await import('@ironrun/policy');
  const schemes = await providerSchemes(policyPath);
  return loadPolicy(policyPath, { schemes });
}
