import { isProviderError, ProviderError } from '@ironrun/provider';

/**
 * Why the SDK could not resolve one reference, for a `{ found: false }` reason. Built from the
 * error's type only (the SDK's message is not copied).
 */
export function describeResolveError(type: string): string {
  switch (type) {
    case 'vaultNotFound':
      return 'no vault of that name or ID is visible to the service account';
    case 'itemNotFound':
      return 'no item of that name or ID in the vault';
    case 'noMatchingSections':
      return 'no section of that name or ID in the item';
    case 'fieldNotFound':
      return 'no field of that name or ID in the item';
    case 'tooManyVaults':
    case 'tooManyItems':
    case 'tooManyMatchingFields':
      return `the reference is ambiguous (${type}); use the vault, item or field ID instead of its name`;
    default:
      return `1Password could not resolve it (${type})`;
  }
}

/** Whether a per-reference error type means "this does not exist" rather than a failure. */
export function isResolveErrorKnown(type: string): boolean {
  return type !== 'parsing';
}

/**
 * Turns what `createClient` or `resolveAll` threw into a `ProviderError` naming the
 * provider, the references and the fix. The SDK's message is kept only as `cause`.
 */
export function mapSdkError(
  error: unknown,
  refs: readonly string[],
  tokenEnv: string,
): ProviderError {
  if (isProviderError(error)) return error;
  const options = { provider: '1password', refs, cause: error };
  const list = refs.join(', ');
  const kind = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (
    kind === 'AuthExpiredError' ||
    kind === 'DesktopSessionExpiredError' ||
    /invalid user input|service account token|invalid format|unauthori[sz]ed|authenticat|forbidden|\b40[13]\b|expired/i.test(
      message,
    )
  ) {
    return new ProviderError(
      'AUTH',
      `1password: the service-account token in ${tokenEnv} was refused while resolving ${list}; check that it is a valid, unexpired service-account token with access to the vaults`,
      options,
    );
  }
  if (kind === 'RateLimitExceededError' || /rate.?limit|too many requests|\b429\b/i.test(message)) {
    return new ProviderError(
      'RATE_LIMIT',
      `1password: rate limited while resolving ${list}; service accounts have hourly and daily request limits, wait and retry`,
      options,
    );
  }
  if (
    /network|connect|dns|resolve host|timed? ?out|error sending request|tls|certificate|\bhttps?\b/i.test(
      message,
    )
  ) {
    return new ProviderError(
      'NETWORK',
      `1password: cannot reach 1Password while resolving ${list}; check the network`,
      options,
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new ProviderError(
    'UNKNOWN',
    `1password: the 1Password SDK failed with ${typeof kind === 'string' ? kind : name} while resolving ${list}; the original error is kept as cause`,
    options,
  );
}
