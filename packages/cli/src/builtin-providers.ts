/**
 * The providers that ship with the CLI, loaded lazily by name, so a vault SDK
 * is imported only when a policy names its provider. Passed to
 * `runSealed({ providers })`, the MCP server and `loadProvider({ builtins })`;
 * any other name is loaded as a package from the project's `node_modules`.
 */
export const builtinProviders: Readonly<Record<string, () => Promise<unknown>>> = {
  envfile: () => import('@ironrun/providers-envfile'),
  doppler: () => import('@ironrun/providers-doppler'),
  infisical: () => import('@ironrun/providers-infisical'),
  '1password': () => import('@ironrun/providers-1password'),
};

/**
 * Environment variables holding a vault credential, by provider. ironrun reads
 * them to resolve secrets; `doctor` warns when one sits in the agent's
 * environment, `init` forwards them to Codex, and `guard` denies commands that
 * use them.
 */
export const providerCredentialVariables: Readonly<Record<string, readonly string[]>> = {
  envfile: [],
  doppler: ['DOPPLER_TOKEN'],
  infisical: [
    'INFISICAL_TOKEN',
    'INFISICAL_UNIVERSAL_AUTH_CLIENT_ID',
    'INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET',
    'INFISICAL_CLIENT_ID',
    'INFISICAL_CLIENT_SECRET',
  ],
  '1password': ['OP_SERVICE_ACCOUNT_TOKEN', 'OP_CONNECT_TOKEN', 'OP_SESSION'],
};

/** Every credential variable of every built-in provider. */
export function allCredentialVariables(): string[] {
  return [...new Set(Object.values(providerCredentialVariables).flat())];
}
