import { isAbsolute } from 'node:path';
import { ProviderError } from '@ironrun/provider';

/** How the 1Password provider reaches 1Password. */
export type OnePasswordMode = 'auto' | 'sdk' | 'cli';

/** The checked `provider_options` of the 1Password provider. */
export interface OnePasswordOptions {
  /**
   * `sdk`: the service-account SDK (needs the token); `cli`: the `op` CLI (desktop-app
   * sign-in, biometric prompt); `auto`: the SDK when the token is set, else the CLI.
   * @default 'auto'
   */
  mode: OnePasswordMode;
  /**
   * The variable of the ironrun process that holds the service-account token.
   * @default 'OP_SERVICE_ACCOUNT_TOKEN'
   */
  tokenEnv: string;
  /** Whether `token_env` was given explicitly (then an empty variable is an error, not a fallback). */
  tokenEnvExplicit: boolean;
  /** Absolute path of the `op` executable; by default `op` is looked up on `PATH`. */
  opPath?: string;
  /** The 1Password account for the CLI (`op --account`), when several are signed in. */
  account?: string;
}

const known = new Set(['mode', 'token_env', 'op_path', 'account']);
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Account shorthands, sign-in addresses, emails and IDs. */
const accountPattern = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,253}$/;

function configError(message: string): ProviderError {
  return new ProviderError('CONFIG', `1password: ${message}`, { provider: '1password' });
}

function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw configError(`provider option '${key}' must be a non-empty string`);
  }
  return value;
}

/**
 * Checks the 1Password provider's options. Unknown keys are errors, so a typo cannot silently
 * drop a setting.
 *
 * @throws ProviderError `CONFIG` naming the option and what was expected.
 */
export function parseOnePasswordOptions(raw: Record<string, unknown>): OnePasswordOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw configError('provider options must be a mapping');
  }
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      throw configError(
        `unknown provider option '${key}'; expected one of: ${[...known].join(', ')}`,
      );
    }
  }
  const mode = optionalString(raw, 'mode') ?? 'auto';
  if (mode !== 'auto' && mode !== 'sdk' && mode !== 'cli') {
    throw configError(`provider option 'mode' must be 'auto', 'sdk' or 'cli', got '${mode}'`);
  }
  const explicitTokenEnv = optionalString(raw, 'token_env');
  const tokenEnv = explicitTokenEnv ?? 'OP_SERVICE_ACCOUNT_TOKEN';
  if (!envNamePattern.test(tokenEnv)) {
    throw configError(
      `provider option 'token_env' must name an environment variable (letters, digits, '_'), got '${tokenEnv}'`,
    );
  }
  const opPath = optionalString(raw, 'op_path');
  if (opPath !== undefined && !isAbsolute(opPath)) {
    throw configError(`provider option 'op_path' must be an absolute path, got '${opPath}'`);
  }
  const account = optionalString(raw, 'account');
  if (account !== undefined && !accountPattern.test(account)) {
    throw configError(
      `provider option 'account' must be a 1Password account shorthand, sign-in address, email or ID, got '${account}'`,
    );
  }
  return {
    mode,
    tokenEnv,
    tokenEnvExplicit: explicitTokenEnv !== undefined,
    ...(opPath === undefined ? {} : { opPath }),
    ...(account === undefined ? {} : { account }),
  };
}
