import type { Policy } from '@ironrun/policy';
import type { ActionInputs, CredentialInput } from './inputs.js';

/** The environment variable each credential input fills, unless the policy renames it. */
export const credentialVariables: Readonly<Record<CredentialInput, string>> = {
  'doppler-token': 'DOPPLER_TOKEN',
  'infisical-client-id': 'INFISICAL_UNIVERSAL_AUTH_CLIENT_ID',
  'infisical-client-secret': 'INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET',
  'op-service-account-token': 'OP_SERVICE_ACCOUNT_TOKEN',
};

/**
 * The environment the provider reads its credentials from (`runSealed({ env })`):
 * the action's own environment without its `INPUT_*` variables, plus each
 * credential input under the variable its provider reads. The command never
 * receives any of it; its environment is only what the policy declares.
 *
 * A policy may rename the Doppler token variable (`token_env`); the input
 * then fills that name.
 */
export function providerEnv(
  inputs: Pick<ActionInputs, 'credentials'>,
  policy: Pick<Policy, 'provider'>,
  base: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(base)) {
    if (!name.startsWith('INPUT_')) env[name] = value;
  }
  for (const [input, value] of Object.entries(inputs.credentials) as [CredentialInput, string][]) {
    env[variableFor(input, policy)] = value;
  }
  return env;
}

function variableFor(input: CredentialInput, policy: Pick<Policy, 'provider'>): string {
  const renamed = input === 'doppler-token' ? policy.provider.options.token_env : undefined;
  return typeof renamed === 'string' && renamed !== '' ? renamed : credentialVariables[input];
}
