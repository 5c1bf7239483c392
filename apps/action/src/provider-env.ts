import type { Policy } from '@ironrun/core';
import type { ActionInputs, CredentialInput } from './inputs.js';

/**
 * Where each credential input goes: the provider it is for, the provider
 * option that renames its variable, and the variable that provider reads by
 * default.
 */
export const credentialTargets: Readonly<
  Record<CredentialInput, { provider: string; option: string; variable: string }>
> = {
  'doppler-token': { provider: 'doppler', option: 'token_env', variable: 'DOPPLER_TOKEN' },
  'infisical-client-id': {
    provider: 'infisical',
    option: 'client_id_env',
    variable: 'INFISICAL_CLIENT_ID',
  },
  'infisical-client-secret': {
    provider: 'infisical',
    option: 'client_secret_env',
    variable: 'INFISICAL_CLIENT_SECRET',
  },
  'op-service-account-token': {
    provider: '1password',
    option: 'token_env',
    variable: 'OP_SERVICE_ACCOUNT_TOKEN',
  },
};

/**
 * The environment the provider reads its credentials from (`runSealed({ env })`):
 * the action's own environment without its `INPUT_*` variables, plus each
 * credential input under the variable its provider reads (the one the
 * policy names with `token_env`, `client_id_env` or `client_secret_env`, if
 * it does). The command never receives any of it; its environment is only
 * what the policy declares.
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
  const target = credentialTargets[input];
  const renamed =
    policy.provider.name === target.provider ? policy.provider.options[target.option] : undefined;
  return typeof renamed === 'string' && renamed !== '' ? renamed : target.variable;
}
