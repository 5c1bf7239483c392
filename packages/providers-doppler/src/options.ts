import { optionReader } from '@ironrun/provider';

/** The checked `provider_options` of the Doppler provider. */
export interface DopplerOptions {
  /**
   * The Doppler project used by `doppler://NAME` references. Not needed with a service
   * token, which is scoped to one project and config.
   */
  project?: string;
  /** The Doppler config (e.g. `dev`, `prd`) used by `doppler://NAME` references. */
  config?: string;
  /**
   * The name of the environment variable of the ironrun process that holds the token.
   * @default 'DOPPLER_TOKEN'
   */
  tokenEnv: string;
  /**
   * The Doppler API base URL, without a trailing slash. `http:` is accepted only for a
   * loopback host (tests, local proxies), so the token is never sent in clear.
   * @default 'https://api.doppler.com'
   */
  apiUrl: string;
}

const known = ['project', 'config', 'token_env', 'api_url'];

/** Doppler project and config slugs: letters, digits, `-`, `_`, `.`; no URL syntax. */
export const slugPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const slug = {
  test: (value: string) => slugPattern.test(value),
  expected: "a Doppler slug (letters, digits, '-', '_', '.')",
};

/**
 * Checks the Doppler provider's options. Unknown keys are errors, so a typo cannot silently
 * drop a setting.
 *
 * @throws ProviderError `CONFIG` naming the option and what was expected.
 */
export function parseDopplerOptions(raw: Record<string, unknown>): DopplerOptions {
  const options = optionReader('doppler', raw, known);
  const project = options.string('project', slug);
  const config = options.string('config', slug);
  return {
    ...(project === undefined ? {} : { project }),
    ...(config === undefined ? {} : { config }),
    tokenEnv: options.envName('token_env', 'DOPPLER_TOKEN'),
    apiUrl: options.secureUrl('api_url', 'https://api.doppler.com'),
  };
}
