import { isProviderError, ProviderError } from '@ironrun/provider';

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Where the failing download was pointed, for the message. */
export interface DownloadTarget {
  project: string;
  config: string;
  refs: readonly string[];
  tokenEnv: string;
}

function scope(target: DownloadTarget): string {
  return target.project === ''
    ? "the service token's config"
    : `project '${target.project}' config '${target.config}'`;
}

/**
 * Turns what the Doppler SDK threw into a `ProviderError` naming the provider, the
 * references and the fix. Neither the token nor any value is ever part of the message: the
 * SDK's HTTP errors carry only the status and Doppler's error body, which are kept as
 * `cause`, not copied.
 */
export function mapDopplerError(error: unknown, target: DownloadTarget): ProviderError {
  if (isProviderError(error)) return error;
  const options = { provider: 'doppler', refs: target.refs, cause: error };
  const refs = target.refs.join(', ');
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number') {
    if (status === 401 || status === 403) {
      return new ProviderError(
        'AUTH',
        `doppler: the token in ${target.tokenEnv} was rejected (HTTP ${status}) for ${scope(target)} while resolving ${refs}; check that it is valid and has access to that config`,
        options,
      );
    }
    if (status === 404) {
      return new ProviderError(
        'NOT_FOUND',
        `doppler: ${scope(target)} was not found (HTTP 404) while resolving ${refs}; check the project and config names`,
        options,
      );
    }
    if (status === 429) {
      return new ProviderError(
        'RATE_LIMIT',
        `doppler: rate limited (HTTP 429) while resolving ${refs}; wait a moment and retry`,
        options,
      );
    }
    if (status >= 500) {
      return new ProviderError(
        'NETWORK',
        `doppler: the Doppler API failed (HTTP ${status}, after the SDK's retries) while resolving ${refs}; check https://status.doppler.com and retry`,
        options,
      );
    }
    return new ProviderError(
      'UNKNOWN',
      `doppler: the Doppler API refused the request (HTTP ${status}) for ${scope(target)} while resolving ${refs}`,
      options,
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'BAD_RESPONSE') {
    return new ProviderError(
      'NETWORK',
      `doppler: the Doppler API (or a proxy in front of it) answered with something other than JSON while resolving ${refs}; check 'api_url' and https://status.doppler.com`,
      options,
    );
  }
  if (
    typeof code === 'string' &&
    (networkCodes.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))
  ) {
    return new ProviderError(
      'NETWORK',
      `doppler: cannot reach the Doppler API (${code}) while resolving ${refs}; check the network and the 'api_url' option`,
      options,
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new ProviderError(
    'UNKNOWN',
    `doppler: the Doppler SDK failed with ${name} while resolving ${refs}; the original error is kept as cause`,
    options,
  );
}
