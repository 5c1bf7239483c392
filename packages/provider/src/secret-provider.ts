/**
 * The answer for one secret reference: its value, or "not found" with an optional reason.
 * A reason names the reference or the place looked in, never a value.
 */
export type ResolveResult =
  | { ref: string; found: true; value: string }
  | { ref: string; found: false; reason?: string };

/** What the caller hands to {@link SecretProvider.resolve}. */
export interface ResolveContext {
  /**
   * Aborted when the caller gives up (its timeout elapsed, or the run was canceled). The
   * provider passes it to its network calls and must reject promptly once it is aborted,
   * even if its backend ignores the signal.
   */
  signal: AbortSignal;
}

/**
 * A live provider, made by {@link ProviderDefinition.create} for one run. It holds the
 * backend client and credentials for that run only.
 */
export interface SecretProvider {
  /**
   * The provider's name, used in error messages and logs (e.g. `'envfile'`). Set once,
   * never changes.
   */
  readonly name: string;

  /**
   * Resolves a batch of secret references.
   *
   * Lifecycle rules:
   * - Called once per run with every reference the command needs (possibly more than once
   *   per provider instance, and concurrently); it must not keep state between calls that
   *   changes answers, and must make as few backend calls as the backend allows (ideally one).
   * - Returns exactly one result per reference, **in the same order** as `refs`; a
   *   duplicated reference gets one result per occurrence. An empty `refs` resolves to `[]`.
   * - A secret that does not exist is a `{ found: false }` result for that reference, not a
   *   rejection: the other references still resolve.
   * - Rejects with a {@link ProviderError} when the whole call fails (credentials, network,
   *   malformed reference, abort). Its message names references and the fix, never a value.
   * - Honours `context.signal`: rejects promptly if it is already aborted or aborts mid-call.
   * - Never logs, caches on disk, or writes a value anywhere; values live in memory for the
   *   run only.
   */
  resolve(refs: readonly string[], context: ResolveContext): Promise<ResolveResult[]>;

  /**
   * Releases what the provider holds (clients, sockets, child processes). Optional.
   *
   * Lifecycle rules: called once after the run, whether it succeeded or failed, and possibly
   * again; it must be idempotent (a second call does nothing) and must not throw for a
   * provider that never resolved anything. No `resolve` call follows it.
   */
  dispose?(): Promise<void> | void;
}
