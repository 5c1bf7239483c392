import { ProviderError } from './provider-error.js';

/** A check a string option must pass, and how its message names what was expected. */
export interface OptionCheck<T extends string = string> {
  /** Whether the value is acceptable; a type guard narrows the option's type. */
  test: ((value: string) => value is T) | ((value: string) => boolean);
  /** What the option must be, completing "provider option 'x' must be …", e.g. `'an absolute path'`. */
  expected: string;
}

/** Reads the options of one provider, every failure a `ProviderError` `CONFIG`. See {@link optionReader}. */
export interface OptionReader {
  /**
   * A string option: `undefined` when absent or `null`, else it must be a
   * non-empty string and pass `check` ("provider option 'key' must be
   * <expected>, got '<value>'").
   */
  string<T extends string = string>(key: string, check?: OptionCheck<T>): T | undefined;
  /**
   * The name of an environment variable (letters, digits, `_`, not starting
   * with a digit), `fallback` when the option is absent.
   */
  envName(key: string, fallback: string): string;
  /**
   * The base URL of a vault's API, `fallback` when absent: `https:`, or
   * `http:` for a loopback host only (127.0.0.1, [::1], localhost), so
   * credentials never travel in clear; no credentials, query or fragment in
   * it. Returned as origin and path, without a trailing slash.
   */
  secureUrl(key: string, fallback: string): string;
  /** A boolean option, `fallback` when absent. */
  boolean(key: string, fallback: boolean): boolean;
  /** A `ProviderError` `CONFIG` whose message starts with the provider's name, for checks of the provider's own. */
  error(message: string): ProviderError;
}

const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Starts reading a provider's raw options (the extra keys of `provider:` in
 * `ironrun.yml`), for its `parseOptions`. Refuses at once anything but a
 * mapping, and every key not in `known`, so a typo cannot silently drop a
 * setting. Every error is a `ProviderError` `CONFIG` naming the provider and
 * the option, and saying what was expected.
 *
 * @example
 * parseOptions(raw) {
 *   const options = optionReader('vault', raw, ['address', 'token_env', 'mount']);
 *   return {
 *     address: options.secureUrl('address', 'https://vault.example.com'),
 *     tokenEnv: options.envName('token_env', 'VAULT_TOKEN'),
 *     mount: options.string('mount', { test: (v) => /^[a-z]+$/.test(v), expected: 'a mount name' }) ?? 'secret',
 *   };
 * }
 */
export function optionReader(
  provider: string,
  raw: unknown,
  known: readonly string[],
): OptionReader {
  const error = (message: string) =>
    new ProviderError('CONFIG', `${provider}: ${message}`, { provider });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw error('provider options must be a mapping');
  }
  const options = raw as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw error(`unknown provider option '${key}'; expected one of: ${known.join(', ')}`);
    }
  }

  const string = <T extends string = string>(key: string, check?: OptionCheck<T>) => {
    const value = Object.hasOwn(options, key) ? options[key] : undefined;
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw error(`provider option '${key}' must be a non-empty string`);
    }
    if (check !== undefined && !check.test(value)) {
      throw error(`provider option '${key}' must be ${check.expected}, got '${value}'`);
    }
    return value as T;
  };

  return {
    string,
    envName(key, fallback) {
      const value = string(key) ?? fallback;
      if (!envNamePattern.test(value)) {
        throw error(
          `provider option '${key}' must name an environment variable (letters, digits, '_'), got '${value}'`,
        );
      }
      return value;
    },
    secureUrl(key, fallback) {
      let url: URL;
      try {
        url = new URL(string(key) ?? fallback);
      } catch {
        throw error(`provider option '${key}' is not a URL; expected e.g. ${fallback}`);
      }
      const secure = url.protocol === 'https:';
      const loopback = url.protocol === 'http:' && loopbackHosts.has(url.hostname);
      if (!secure && !loopback) {
        throw error(
          `provider option '${key}' must use https: (http: is allowed only for 127.0.0.1, [::1] or localhost), so credentials never travel in clear`,
        );
      }
      if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
        throw error(`provider option '${key}' must not contain credentials, a query or a fragment`);
      }
      return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    },
    boolean(key, fallback) {
      const value = (Object.hasOwn(options, key) ? options[key] : undefined) ?? fallback;
      if (typeof value !== 'boolean') {
        throw error(`provider option '${key}' must be true or false`);
      }
      return value;
    },
    error,
  };
}
