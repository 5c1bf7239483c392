import { isAbsolute } from 'node:path';
import { optionReader } from '@ironrun/provider';

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

const known = ['mode', 'token_env', 'op_path', 'account'];
/** Account shorthands, sign-in addresses, emails and IDs. */
const accountPattern = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,253}$/;

/**
 * Checks the 1Password provider's options. Unknown keys are errors, so a typo cannot silently
 * drop a setting.
 *
 * @throws ProviderError `CONFIG` naming the option and what was expected.
 */
export function parseOnePasswordOptions(raw: Record<string, unknown>): OnePasswordOptions {
  const options = optionReader('1password', raw, known);
  const mode =
    options.string('mode', {
      test: (value): value is OnePasswordMode =>
        value === 'auto' || value === 'sdk' || value === 'cli',
      expected: "'auto', 'sdk' or 'cli'",
    }) ?? 'auto';
  const tokenEnvExplicit = options.string('token_env') !== undefined;
  const tokenEnv = options.envName('token_env', 'OP_SERVICE_ACCOUNT_TOKEN');
  const opPath = options.string('op_path', { test: isAbsolute, expected: 'an absolute path' });
  const account = options.string('account', {
    test: (value) => accountPattern.test(value),
    expected: 'a 1Password account shorthand, sign-in address, email or ID',
  });
  return {
    mode,
    tokenEnv,
    tokenEnvExplicit,
    ...(opPath === undefined ? {} : { opPath }),
    ...(account === undefined ? {} : { account }),
  };
}
