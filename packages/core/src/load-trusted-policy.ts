import { dirname } from 'node:path';
import {
  defaultConfigDir,
  type Policy,
  policyFileChanged,
  type VerifiedPin,
} from '@ironrun/policy';
import { assertTrustedPins } from './assert-trusted.js';
import { providerRegistry } from './builtin-providers.js';
import { IronrunError } from './ironrun-error.js';
import { readPolicyOnce, validateFileWithRegistry } from './read-policy-with-provider-schemes.js';

/** Options of {@link loadTrustedPolicy}. */
export interface LoadTrustedPolicyOptions {
  /**
   * Where trust records live.
   * @default defaultConfigDir() from `@ironrun/policy`
   */
  configDir?: string | undefined;
  /**
   * Provider modules by name, replacing or adding to the built-in providers.
   * Any other provider name is a third-party package: once the policy is
   * trusted, its package.json is read to learn the reference schemes it
   * declares (see {@link readPolicyWithProviderSchemes}).
   * @default {}: the built-in providers only
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
 * Reads a policy file once, checks that a person trusted those bytes (and
 * every file they pin), and only then learns its provider's declarations and
 * validates the same bytes: the same checks and messages as {@link runSealed}.
 * Throws an {@link IronrunError} (`POLICY`, `TRUST_UNTRUSTED`, `TRUST_CHANGED`,
 * `PROVIDER`).
 *
 * @example
 * const policy = await loadTrustedPolicy('ironrun.yml');
 * console.log(listCommands(policy));
 */
export async function loadTrustedPolicy(
  policyPath: string,
  options: LoadTrustedPolicyOptions = {},
): Promise<Policy> {
  return (await loadTrustedPolicyPins(policyPath, options)).policy;
}

/**
 * {@link loadTrustedPolicy}, also returning the pins whose content the check
 * verified by hash and the real programs trust recorded (command id → path).
 */
export async function loadTrustedPolicyPins(
  policyPath: string,
  options: LoadTrustedPolicyOptions = {},
): Promise<{ policy: Policy; verified: VerifiedPin[]; programs: Record<string, string> }> {
  const file = await readPolicyOnce(policyPath);
  const { verified, programs } = await assertTrustedPins(
    file,
    dirname(file.realPath),
    options.configDir ?? defaultConfigDir(),
    options.commandId,
  );
  // Nothing in the policy (a provider package to look up) is acted on before its trust check.
  const validation = await validateFileWithRegistry(file, providerRegistry(options.providers));
  if (validation.policy === undefined) throw validation.error;
  // The bytes used are the bytes checked; a file edited meanwhile is refused all the same,
  // so what runs is also what is on disk when it starts.
  if (await policyFileChanged(file)) {
    throw new IronrunError(
      'TRUST_CHANGED',
      `ironrun: ${validation.policy.path} changed between its trust check and its use, so it was not used. Review it; a person runs \`ironrun trust\` again if the change is wanted.`,
    );
  }
  return { policy: validation.policy, verified, programs };
}
