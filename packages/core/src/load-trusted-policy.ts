import { dirname, resolve } from 'node:path';
import { defaultConfigDir, type Policy } from '@ironrun/policy';
import { assertSameBytes, assertTrusted } from './assert-trusted.js';
import { readPolicyWithProviderSchemes } from './read-policy-with-provider-schemes.js';

/** Options of {@link loadTrustedPolicy}. */
export interface LoadTrustedPolicyOptions {
  /**
   * Where trust records live.
   * @default defaultConfigDir() from `@ironrun/policy`
   */
  configDir?: string | undefined;
  /**
   * Built-in provider loaders by name. Any other provider name is a
   * third-party package: once the policy is trusted, it is loaded to learn
   * the reference schemes it claims (see {@link readPolicyWithProviderSchemes}).
   * @default {}
   */
  providers?: Record<string, () => Promise<unknown>> | undefined;
  /**
   * Check only this command's trust (its entry, the provider section and
   * its pins): edits to other commands do not refuse it.
   * @default undefined: the whole file and every pin
   */
  commandId?: string | undefined;
}

/**
 * Reads a policy file and checks that a person trusted it (and every file
 * it pins) as it is now: the same checks and messages as {@link runSealed}.
 * Throws an {@link IronrunError} (`POLICY`, `TRUST_UNTRUSTED`, `TRUST_CHANGED`).
 *
 * @example
 * const policy = await loadTrustedPolicy('ironrun.yml');
 * console.log(listCommands(policy));
 */
export async function loadTrustedPolicy(
  policyPath: string,
  options: LoadTrustedPolicyOptions = {},
): Promise<Policy> {
  const checkedSha256 = await assertTrusted(
    policyPath,
    dirname(resolve(policyPath)),
    options.configDir ?? defaultConfigDir(),
    options.commandId,
  );
  const policy = await readPolicyWithProviderSchemes(policyPath, { providers: options.providers });
  assertSameBytes(policy, checkedSha256);
  return policy;
}
