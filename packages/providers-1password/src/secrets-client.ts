import packageJson from '../package.json' with { type: 'json' };

/** One reference's answer, as `client.secrets.resolveAll` of `@1password/sdk` returns it. */
export interface ResolveAllEntry {
  content?: { secret: string };
  error?: { type: string; message?: unknown };
}

/**
 * The part of the 1Password SDK client the provider uses. The SDK only talks to 1Password's
 * own servers, so tests inject a fake with this shape instead.
 */
export interface OnePasswordSecretsClient {
  /** Resolves many references in one call; the answers are keyed by reference. */
  resolveAll(refs: string[]): Promise<{ individualResponses: Record<string, ResolveAllEntry> }>;
}

/** Makes an authenticated client from a service-account token. */
export type ConnectOnePassword = (token: string) => Promise<OnePasswordSecretsClient>;

// Inlined at build time, so a bundle (the GitHub Action) reports this package's version, not its host's.
const { version } = packageJson;

/**
 * The real connection: `createClient` of `@1password/sdk` with the service-account token.
 * The SDK (and its WebAssembly core) is imported only here, so the `op` CLI path never loads it.
 */
export const connectWithSdk: ConnectOnePassword = async (token) => {
  const { createClient } = await import('@1password/sdk');
  const client = await createClient({
    auth: token,
    integrationName: 'ironrun',
    integrationVersion: version,
  });
  return client.secrets;
};
