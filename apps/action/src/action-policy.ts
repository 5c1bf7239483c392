import type { Policy } from '@ironrun/core';
import { loadTrustedPolicy, readPolicyWithProviderSchemes } from '@ironrun/core';
import { builtinProviders } from './builtin-providers.js';
import type { TrustMode } from './inputs.js';

/**
 * Loads the policy as the workflow checked it out, through `@ironrun/core`'s
 * one policy reader. In `workflow` mode it is trusted as is; in `pinned` mode
 * a trust record in `configDir` must vouch for it and every file it pins, as
 * `ironrun run` requires on a workstation, and nothing in it (such as a
 * third-party provider package to load for its reference schemes) is acted
 * on before that check. Failures are {@link IronrunError}s (`POLICY`,
 * `TRUST_*`, `PROVIDER`).
 */
export async function loadActionPolicy(
  path: string,
  trust: { mode: TrustMode; configDir?: string | undefined; commandId?: string | undefined },
): Promise<Policy> {
  const providers = { ...builtinProviders };
  if (trust.mode === 'pinned') {
    return loadTrustedPolicy(path, {
      configDir: trust.configDir,
      providers,
      commandId: trust.commandId,
    });
  }
  return readPolicyWithProviderSchemes(path, { providers });
}
