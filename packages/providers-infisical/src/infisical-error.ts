import { isProviderError, ProviderError } from '@ironrun/provider';

/** What the failing call was doing, for the message. */
export interface CallTarget {
  /** `'login'` for the universal-auth login, else the folder listed. */
  phase: 'login' | 'list';
  projectId?: string;
  environment?: string;
  path?: string;
  refs: readonly string[];
  /** How the provider authenticated, e.g. `the token in INFISICAL_TOKEN`. */
  credentials: string;
}

/**
 * The HTTP status of an SDK error. `@infisical/sdk` 5 does not keep it as a property: it is
 * in the message as `[StatusCode=401]` (when the API sent a message) or `Request failed with
 * status 401` (when it did not).
 */
export function statusOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const match =
    /\[StatusCode=(\d{3})\]/.exec(message) ?? /Request failed with status (\d{3})\b/.exec(message);
  return match === null ? undefined : Number(match[1]);
}

function folder(target: CallTarget): string {
  return `folder '${target.path}' of environment '${target.environment}' in project '${target.projectId}'`;
}

/**
 * Turns what the Infisical SDK threw into a `ProviderError` naming the provider, the
 * references and the fix. The SDK's message (the request URL and the API's error text) is
 * never copied; it is kept as `cause` for list calls and dropped for the login call.
 */
export function mapInfisicalError(error: unknown, target: CallTarget): ProviderError {
  if (isProviderError(error)) return error;
  // A login error may echo the request body (the client secret) in a validation message, so
  // it is not kept as cause; a list error names only the folder.
  const options =
    target.phase === 'login'
      ? { provider: 'infisical', refs: target.refs }
      : { provider: 'infisical', refs: target.refs, cause: error };
  const refs = target.refs.join(', ');
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 401 || status === 403) {
      return new ProviderError(
        'AUTH',
        target.phase === 'login'
          ? `infisical: the universal-auth login was refused (HTTP ${status}) while resolving ${refs}; check ${target.credentials}`
          : `infisical: ${target.credentials} may not read the ${folder(target)} (HTTP ${status}) while resolving ${refs}; check the credentials and the identity's access`,
        options,
      );
    }
    if (status === 404) {
      return new ProviderError(
        'NOT_FOUND',
        target.phase === 'login'
          ? `infisical: the login endpoint was not found (HTTP 404); check the 'site_url' option`
          : `infisical: the ${folder(target)} was not found (HTTP 404) while resolving ${refs}; check project_id, environment and path`,
        options,
      );
    }
    if (status === 429) {
      return new ProviderError(
        'RATE_LIMIT',
        `infisical: rate limited (HTTP 429, after the SDK's retries) while resolving ${refs}; wait a moment and retry`,
        options,
      );
    }
    if (status >= 500) {
      return new ProviderError(
        'NETWORK',
        `infisical: the Infisical API failed (HTTP ${status}) while resolving ${refs}; check the instance's status and retry`,
        options,
      );
    }
    if (status === 400 || status === 422) {
      return new ProviderError(
        'CONFIG',
        `infisical: the Infisical API refused the request (HTTP ${status}) for the ${folder(target)} while resolving ${refs}; check project_id, environment and path`,
        options,
      );
    }
    return new ProviderError(
      'UNKNOWN',
      `infisical: the Infisical API answered HTTP ${status} while resolving ${refs}`,
      options,
    );
  }
  const message = error instanceof Error ? error.message : '';
  if (/aborted|timed? ?out/i.test(message)) {
    return new ProviderError(
      'TIMEOUT',
      `infisical: a request to Infisical timed out while resolving ${refs}; check that the instance is reachable`,
      options,
    );
  }
  if (/fetch failed|ECONN|ENOTFOUND|EAI_AGAIN|socket|network|certificate/i.test(message)) {
    return new ProviderError(
      'NETWORK',
      `infisical: cannot reach Infisical while resolving ${refs}; check the network and the 'site_url' option`,
      options,
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new ProviderError(
    'UNKNOWN',
    `infisical: the Infisical SDK failed with ${name} while resolving ${refs}; the original error is kept as cause`,
    options,
  );
}
