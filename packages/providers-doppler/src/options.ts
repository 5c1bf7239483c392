import { ProviderError } from '@ironrun/provider';

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

const known = new Set(['project', 'config', 'token_env', 'api_url']);

/** Doppler project and config slugs: letters, digits, `-`, `_`, `.`; no URL syntax. */
export const slugPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

function configError(message: string): ProviderError {
  return new ProviderError('CONFIG', `doppler: ${message}`, { provider: 'doppler' });
}

function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw configError(`provider option '${key}' must be a non-empty string`);
  }
  return value;
}

function parseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(
      `provider option 'api_url' is not a URL; expected e.g. https://api.doppler.com`,
    );
  }
  const secure = url.protocol === 'https:';
  const loopback = url.protocol === 'http:' && loopbackHosts.has(url.hostname);
  if (!secure && !loopback) {
    throw configError(
      `provider option 'api_url' must use https: (http: is allowed only for 127.0.0.1, [::1] or localhost), so the token never travels in clear`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw configError(
      `provider option 'api_url' must not contain credentials, a query or a fragment`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Checks the Doppler provider's options. Unknown keys are errors, so a typo cannot silently
 * drop a setting.
 *
 * @throws ProviderError `CONFIG` naming the option and what was expected.
 */
export function parseDopplerOptions(raw: Record<string, unknown>): DopplerOptions {
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
  const project = optionalString(raw, 'project');
  const config = optionalString(raw, 'config');
  for (const [key, value] of [
    ['project', project],
    ['config', config],
  ] as const) {
    if (value !== undefined && !slugPattern.test(value)) {
      throw configError(
        `provider option '${key}' must be a Doppler slug (letters, digits, '-', '_', '.'), got '${value}'`,
      );
    }
  }
  const tokenEnv = optionalString(raw, 'token_env') ?? 'DOPPLER_TOKEN';
  if (!envNamePattern.test(tokenEnv)) {
    throw configError(
      `provider option 'token_env' must name an environment variable (letters, digits, '_'), got '${tokenEnv}'`,
    );
  }
  const apiUrl = parseApiUrl(optionalString(raw, 'api_url') ?? 'https://api.doppler.com');
  return {
    ...(project === undefined ? {} : { project }),
    ...(config === undefined ? {} : { config }),
    tokenEnv,
    apiUrl,
  };
}
