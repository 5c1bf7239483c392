import { readFile, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { IronrunError, loadTrustedPolicy } from '@ironrun/core';
import { isPolicyError, loadPolicy, type Policy } from '@ironrun/policy';
import { isProviderError, loadProvider, type ProviderDefinition } from '@ironrun/provider';
import { parse } from 'yaml';
import { ActionError } from './action-error.js';
import { builtinProviders } from './builtin-providers.js';
import type { TrustMode } from './inputs.js';

/** The policy the action runs, and its provider when that is a third-party package. */
export interface ActionPolicy {
  policy: Policy;
  /** The definition of a third-party provider package, loaded from the project's `node_modules`. */
  thirdParty?: ProviderDefinition;
}

/**
 * Loads the policy as the workflow checked it out. In `workflow` mode it is
 * trusted as is; in `pinned` mode a trust record in `configDir` must vouch for
 * it and every file it pins, as `ironrun run` requires on a workstation. A
 * third-party provider is loaded first, so the policy knows its reference
 * schemes (`pinned` mode supports built-in providers only). Failures are
 * {@link IronrunError}s (`POLICY`, `TRUST_*`, `PROVIDER`) or an
 * {@link ActionError}.
 */
export async function loadActionPolicy(
  path: string,
  trust: { mode: TrustMode; configDir?: string | undefined },
): Promise<ActionPolicy> {
  const name = await providerNameOf(path);
  if (name === undefined || Object.hasOwn(builtinProviders, name)) {
    if (trust.mode === 'pinned') {
      return {
        policy: await loadTrustedPolicy(
          path,
          trust.configDir === undefined ? {} : { configDir: trust.configDir },
        ),
      };
    }
    return { policy: await parseAsCore(path, []) };
  }
  if (trust.mode === 'pinned') {
    throw new ActionError(
      'INPUT_INVALID',
      `trust: pinned supports the built-in providers only (${Object.keys(builtinProviders).join(', ')}); this policy uses '${name}'. Use trust: workflow.`,
    );
  }
  const thirdParty = await loadThirdPartyProvider(name, dirname(await realpath(path)));
  const policy = await parseAsCore(path, thirdParty.schemes);
  if (policy.provider.name !== name) {
    throw new IronrunError('POLICY', `ironrun: ${path} changed while it was being read; run again`);
  }
  return { policy, thirdParty };
}

/** The `provider:` name of the policy file, or undefined when it cannot be read (the policy loader then says why). */
async function providerNameOf(path: string): Promise<string | undefined> {
  try {
    const document = parse(await readFile(path, 'utf8')) as { provider?: unknown } | null;
    const provider = document?.provider;
    if (typeof provider === 'string') return provider;
    if (typeof provider === 'object' && provider !== null) {
      const { name } = provider as { name?: unknown };
      if (typeof name === 'string') return name;
    }
  } catch {
    // Reported by loadPolicy with line and column.
  }
  return undefined;
}

async function parseAsCore(path: string, schemes: readonly string[]): Promise<Policy> {
  try {
    return await loadPolicy(path, { schemes });
  } catch (error) {
    if (!isPolicyError(error)) throw error;
    // Reported like every other refusal, with the policy's own message (as runSealed does).
    throw new IronrunError('POLICY', error.message, { cause: error });
  }
}

async function loadThirdPartyProvider(
  name: string,
  projectDir: string,
): Promise<ProviderDefinition> {
  try {
    return await loadProvider(name, { projectDir });
  } catch (error) {
    if (!isProviderError(error)) throw error;
    throw new IronrunError('PROVIDER', `ironrun: ${error.message}`, { cause: error });
  }
}
