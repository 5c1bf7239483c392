import { optionReader } from '@ironrun/provider';

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

const known = [
  'project_id',
  'environment',
  'path',
  'site_url',
  'token_env',
  'client_id_env',
  'client_secret_env',
  'include_imports',
];

/** Folder names and secret keys: letters, digits, `_`, `-`, `.` (never `.` or `..` alone). */
export const segmentPattern = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,256}$/;
/** Environment slugs. */
export const environmentPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Project IDs (UUIDs or slugs). */
export const projectPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Checks a folder path like `/`, `/backend` or `/backend/stripe`. */
export function isFolderPath(path: string): boolean {
  if (path === '/') return true;
  if (!path.startsWith('/') || path.endsWith('/')) return false;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segmentPattern.test(segment));
}

/**
 * Checks the Infisical provider's options. Unknown keys are errors, so a typo cannot
 * silently drop a setting.
 *
 * @throws ProviderError `CONFIG` naming the option and what was expected.
 */
export function parseInfisicalOptions(raw: Record<string, unknown>): InfisicalOptions {
  const options = optionReader('infisical', raw, known);
  const projectId = options.string('project_id', {
    test: (value) => projectPattern.test(value),
    expected: 'an Infisical project ID',
  });
  const environment = options.string('environment', {
    test: (value) => environmentPattern.test(value),
    expected: 'an environment slug',
  });
  const path =
    options.string('path', {
      test: isFolderPath,
      expected: "a folder path like / or /backend/stripe (letters, digits, '_', '-', '.')",
    }) ?? '/';
  const includeImports = options.boolean('include_imports', true);
  return {
    ...(projectId === undefined ? {} : { projectId }),
    ...(environment === undefined ? {} : { environment }),
    path,
    siteUrl: options.secureUrl('site_url', 'https://app.infisical.com'),
    tokenEnv: options.envName('token_env', 'INFISICAL_TOKEN'),
    clientIdEnv: options.envName('client_id_env', 'INFISICAL_CLIENT_ID'),
    clientSecretEnv: options.envName('client_secret_env', 'INFISICAL_CLIENT_SECRET'),
    includeImports,
  };
}
