import { ProviderError } from '@ironrun/provider';

/** The checked `provider_options` of the Infisical provider. */
export interface InfisicalOptions {
  /** The Infisical project ID; a reference may override it with `?project=`. */
  projectId?: string;
  /** The environment slug (e.g. `dev`, `prod`); a reference may override it with `?env=`. */
  environment?: string;
  /**
   * The folder of `infisical://NAME` references.
   * @default '/'
   */
  path: string;
  /**
   * The Infisical instance, for self-hosted installs (the SDK's `siteUrl`). `http:` is
   * accepted only for a loopback host, so credentials never travel in clear.
   * @default 'https://app.infisical.com'
   */
  siteUrl: string;
  /**
   * The variable holding an access token (used when set; no login call is made).
   * @default 'INFISICAL_TOKEN'
   */
  tokenEnv: string;
  /**
   * The variable holding the universal-auth client ID.
   * @default 'INFISICAL_CLIENT_ID'
   */
  clientIdEnv: string;
  /**
   * The variable holding the universal-auth client secret.
   * @default 'INFISICAL_CLIENT_SECRET'
   */
  clientSecretEnv: string;
  /**
   * Whether secrets imported into a folder resolve too (the folder's own secrets win).
   * @default true
   */
  includeImports: boolean;
}

const known = new Set([
  'project_id',
  'environment',
  'path',
  'site_url',
  'token_env',
  'client_id_env',
  'client_secret_env',
  'include_imports',
]);

/** Folder names and secret keys: letters, digits, `_`, `-`, `.` (never `.` or `..` alone). */
export const segmentPattern = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,256}$/;
/** Environment slugs. */
export const environmentPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Project IDs (UUIDs or slugs). */
export const projectPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

function configError(message: string): ProviderError {
  return new ProviderError('CONFIG', `infisical: ${message}`, { provider: 'infisical' });
}

function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw configError(`provider option '${key}' must be a non-empty string`);
  }
  return value;
}

function envName(raw: Record<string, unknown>, key: string, fallback: string): string {
  const value = optionalString(raw, key) ?? fallback;
  if (!envNamePattern.test(value)) {
    throw configError(
      `provider option '${key}' must name an environment variable (letters, digits, '_'), got '${value}'`,
    );
  }
  return value;
}

/** Checks a folder path like `/`, `/backend` or `/backend/stripe`. */
export function isFolderPath(path: string): boolean {
  if (path === '/') return true;
  if (!path.startsWith('/') || path.endsWith('/')) return false;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segmentPattern.test(segment));
}

function parseSiteUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(
      `provider option 'site_url' is not a URL; expected e.g. https://app.infisical.com`,
    );
  }
  const secure = url.protocol === 'https:';
  const loopback = url.protocol === 'http:' && loopbackHosts.has(url.hostname);
  if (!secure && !loopback) {
    throw configError(
      `provider option 'site_url' must use https: (http: is allowed only for 127.0.0.1, [::1] or localhost), so credentials never travel in clear`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw configError(
      `provider option 'site_url' must not contain credentials, a query or a fragment`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Checks the Infisical provider's options. Unknown keys are errors, so a typo cannot
 * silently drop a setting.
 *
 * @throws ProviderError `CONFIG` naming the option and what was expected.
 */
export function parseInfisicalOptions(raw: Record<string, unknown>): InfisicalOptions {
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
  const projectId = optionalString(raw, 'project_id');
  if (projectId !== undefined && !projectPattern.test(projectId)) {
    throw configError(
      `provider option 'project_id' must be an Infisical project ID, got '${projectId}'`,
    );
  }
  const environment = optionalString(raw, 'environment');
  if (environment !== undefined && !environmentPattern.test(environment)) {
    throw configError(
      `provider option 'environment' must be an environment slug, got '${environment}'`,
    );
  }
  const path = optionalString(raw, 'path') ?? '/';
  if (!isFolderPath(path)) {
    throw configError(
      `provider option 'path' must be a folder path like / or /backend/stripe (letters, digits, '_', '-', '.'), got '${path}'`,
    );
  }
  const includeImports = raw.include_imports ?? true;
  if (typeof includeImports !== 'boolean') {
    throw configError(`provider option 'include_imports' must be true or false`);
  }
  return {
    ...(projectId === undefined ? {} : { projectId }),
    ...(environment === undefined ? {} : { environment }),
    path,
    siteUrl: parseSiteUrl(optionalString(raw, 'site_url') ?? 'https://app.infisical.com'),
    tokenEnv: envName(raw, 'token_env', 'INFISICAL_TOKEN'),
    clientIdEnv: envName(raw, 'client_id_env', 'INFISICAL_CLIENT_ID'),
    clientSecretEnv: envName(raw, 'client_secret_env', 'INFISICAL_CLIENT_SECRET'),
    includeImports,
  };
}
