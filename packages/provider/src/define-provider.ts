import type { SecretProvider } from './secret-provider.js';

/** What ironrun gives a provider when it creates it. */
export interface ProviderContext {
  /** Absolute path of the project (the folder holding `ironrun.yml`). Resolve relative paths against it. */
  projectDir: string;
  /**
   * The environment the provider reads its credentials from (e.g. `DOPPLER_TOKEN`). Read
   * from here, never from `process.env` directly, so callers and tests control it.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** The user's ironrun configuration directory, outside any repository. */
  configDir: string;
  /**
   * Whether `path` lies inside the project, where the agent can write: by its spelling or
   * after resolving symlinks (inside by either is inside). It is ironrun's one containment
   * check; use it for every "must be outside the project" rule (a secrets file, a vendor
   * program) instead of a check of your own.
   */
  isInsideProject(path: string): boolean;
  /** How long one `resolve` call may take, in milliseconds; pass it to SDK timeouts. */
  timeoutMs: number;
  /**
   * Reports a warning to the person running ironrun (e.g. "the secrets file is inside the
   * project"). Optional; a warning never contains a secret value.
   */
  warn?: (message: string) => void;
}

/**
 * Everything ironrun needs to know about a provider: its name, the reference schemes it
 * claims, how to check its options, and how to create it. A provider package exports one
 * as the named export `provider`.
 */
export interface ProviderDefinition<Options = Record<string, unknown>> {
  /** The provider's name, e.g. `'envfile'`. Used in messages. */
  name: string;

  /**
   * The reference schemes this provider resolves, without `://` (e.g. `['envfile']` for
   * `envfile://NAME`). The policy checks every reference against them before anything runs.
   */
  schemes: readonly string[];

  /**
   * Validates the `provider_options` of the policy and returns typed options.
   *
   * Lifecycle rules: called once per run, before {@link ProviderDefinition.create}, with
   * the raw object from the policy (`{}` when there is none). It must be pure: no network, no
   * file reads, no secrets. Throws a {@link ProviderError} with code `CONFIG` naming the
   * option and what was expected.
   */
  parseOptions(raw: Record<string, unknown>): Options;

  /**
   * Creates the provider for one run.
   *
   * Lifecycle rules: called once per run, after `parseOptions`. It may read credentials from
   * `context.env` and build a client, but should not call the backend yet (that is what
   * `resolve` is for, under a timeout). Throws a {@link ProviderError} (`AUTH` for missing
   * credentials, `CONFIG` for anything else missing).
   */
  create(options: Options, context: ProviderContext): SecretProvider | Promise<SecretProvider>;
}

/**
 * Returns its argument unchanged; it exists so a provider's options type is inferred and
 * checked.
 *
 * @example
 * export const provider = defineProvider({
 *   name: 'example',
 *   schemes: ['example'],
 *   parseOptions: (raw) => ({ secrets: raw.secrets as Record<string, string> }),
 *   create: (options) => ({
 *     name: 'example',
 *     resolve: async (refs) => refs.map((ref) => ({ ref, found: false })),
 *   }),
 * });
 */
export function defineProvider<Options>(
  definition: ProviderDefinition<Options>,
): ProviderDefinition<Options> {
  return definition;
}
