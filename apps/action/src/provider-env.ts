import { builtinProviderDeclarations, type Policy } from '@ironrun/core';
import { ActionError } from './action-error.js';
import type { ActionInputs, CredentialInput } from './inputs.js';

/** Where one credential input goes: its provider, the option renaming its variable, the variable. */
interface CredentialTarget {
  provider: string;
  option: string | undefined;
  variable: string;
}

/**
 * Where each credential input goes, as the built-in providers declare it in their
 * package.json (`ironrun.credentials[].input`): the provider it is for, the provider
 * option that renames its variable, and the variable that provider reads by default.
 */
export function credentialTargets(): Readonly<Partial<Record<CredentialInput, CredentialTarget>>> {
  const targets: Partial<Record<CredentialInput, CredentialTarget>> = {};
  for (const [provider, declaration] of Object.entries(builtinProviderDeclarations())) {
    for (const credential of declaration.credentials) {
      if (credential.input === undefined) continue;
      targets[credential.input as CredentialInput] = {
        provider,
        option: credential.option,
        variable: credential.env,
      };
    }
  }
  return targets;
}

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
  const targets = credentialTargets();
  for (const [input, value] of Object.entries(inputs.credentials) as [CredentialInput, string][]) {
    const target = targets[input];
    if (target === undefined) {
      throw new ActionError(
        'INPUT_INVALID',
        `Input "${input}" is for no provider this action ships; reinstall the action.`,
      );
    }
    env[variableFor(target, policy)] = value;
  }
  return env;
}

function variableFor(target: CredentialTarget, policy: Pick<Policy, 'provider'>): string {
  const renamed =
    policy.provider.name === target.provider && target.option !== undefined
      ? policy.provider.options[target.option]
      : undefined;
  return typeof renamed === 'string' && renamed !== '' ? renamed : target.variable;
}
