import type { Policy, PolicyCommand } from '@ironrun/policy';
import {
  abortable,
  isProviderError,
  loadProvider,
  ProviderError,
  resolveWithTimeout,
  type SecretProvider,
  startDeadline,
} from '@ironrun/provider';
import { IronrunError } from './ironrun-error.js';

/** Options of {@link resolveCommandSecrets}. */
export interface ResolveCommandSecretsOptions {
  providers?: Record<string, () => Promise<unknown>> | undefined;
  env: Readonly<Record<string, string | undefined>>;
  configDir: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** One secret a command receives: the variable, its reference and its value. */
export interface ResolvedSecret {
  name: string;
  ref: string;
  value: string;
}

/**
 * The cause kept on our error. A provider's error may carry, as its own
 * cause, whatever a vendor SDK threw, whose message can quote a value; that
 * link is cut so no printer of the cause chain can show it.
 */
function safeCause(error: unknown): unknown {
  if (isProviderError(error)) {
    if (error.cause === undefined) return error;
    return new ProviderError(error.code, error.message, {
      ...(error.provider === undefined ? {} : { provider: error.provider }),
      refs: error.refs,
    });
  }
  // Not an ironrun error: keep only its kind.
  return error instanceof Error ? { name: error.name } : typeof error;
}

/** A provider error's message; for anything else only its kind, since its message may quote a value. */
function describe(error: unknown): string {
  if (isProviderError(error)) return error.message;
  return `it threw ${error instanceof Error ? error.name : typeof error}`;
}

function abortedError(commandId: string, refs: readonly string[], cause: unknown): IronrunError {
  return new IronrunError(
    'CANCELED',
    `ironrun: the run of ${commandId} was canceled before it started`,
    {
      commandId,
      refs,
      cause,
    },
  );
}

const disposeGraceMs = 2_000;

/** Disposes a provider without letting a failing or hanging cleanup fail the run. */
async function disposeQuietly(provider: SecretProvider): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => provider.dispose?.()),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, disposeGraceMs);
        timer.unref();
      }),
    ]);
  } catch {
    // A provider that fails to clean up must not turn a good run into a failed one.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves the secret references of one command (and only those) through the
 * policy's provider, at exec time, failing closed: a provider that cannot be
 * loaded, fails or times out, a reference not found, or an empty value all
 * throw an {@link IronrunError} naming the reference, never a value.
 */
export async function resolveCommandSecrets(
  policy: Policy,
  command: PolicyCommand,
  options: ResolveCommandSecretsOptions,
): Promise<ResolvedSecret[]> {
  const wanted: { name: string; ref: string; scheme: string }[] = [];
  for (const [name, value] of Object.entries(command.env)) {
    if (value.kind === 'secret') wanted.push({ name, ref: value.ref, scheme: value.scheme });
  }
  if (wanted.length === 0) return [];
  const commandId = command.id;
  const refs = [...new Set(wanted.map((secret) => secret.ref))];
  const providerName = policy.provider.name;
  const fail = (message: string, cause?: unknown) =>
    new IronrunError(
      'PROVIDER',
      `ironrun: ${message}; ${commandId} did not run. References: ${refs.join(', ')}`,
      {
        commandId,
        refs,
        cause: safeCause(cause),
      },
    );

  // The one deadline of the resolution: loading, starting and asking the provider all share
  // it (resolveWithTimeout and the provider's own deadline reuse this timer, see startDeadline).
  const timedOut = fail(
    `the secret provider '${providerName}' did not answer within ${options.timeoutMs} ms`,
  );
  const deadline = startDeadline(options.signal, options.timeoutMs, () => timedOut);
  const stopped = () =>
    deadline.signal.reason === timedOut
      ? timedOut
      : abortedError(commandId, refs, options.signal?.reason);

  let provider: SecretProvider | undefined;
  try {
    let definition: Awaited<ReturnType<typeof loadProvider>>;
    try {
      // Whatever abortable rejects with after the deadline, the deadline's own reason is thrown.
      definition = await abortable(
        loadProvider(providerName, {
          projectDir: policy.dir,
          ...(options.providers === undefined ? {} : { builtins: options.providers }),
        }),
        deadline.signal,
      );
    } catch (error) {
      if (deadline.signal.aborted) throw stopped();
      throw fail(`could not load the secret provider '${providerName}': ${describe(error)}`, error);
    }
    const foreign = wanted.filter((secret) => !definition.schemes.includes(secret.scheme));
    if (foreign.length > 0) {
      throw fail(
        `provider '${providerName}' handles ${definition.schemes.map((scheme) => `${scheme}:`).join(', ')} references, ` +
          `not ${foreign.map(({ name, ref }) => `${name} (${ref})`).join(', ')}`,
      );
    }
    try {
      const parsed = definition.parseOptions(policy.provider.options);
      provider = await abortable(
        Promise.resolve(
          definition.create(parsed, {
            projectDir: policy.dir,
            env: options.env,
            configDir: options.configDir,
            timeoutMs: options.timeoutMs,
          }),
        ),
        deadline.signal,
      );
    } catch (error) {
      if (deadline.signal.aborted) throw stopped();
      throw fail(
        `the secret provider '${providerName}' could not start: ${describe(error)}`,
        error,
      );
    }
    let results: Awaited<ReturnType<typeof resolveWithTimeout>>;
    try {
      results = await resolveWithTimeout(provider, refs, {
        timeoutMs: options.timeoutMs,
        signal: deadline.signal,
      });
    } catch (error) {
      if (deadline.signal.aborted) throw stopped();
      throw fail(`the secret provider '${providerName}' failed: ${describe(error)}`, error);
    }
    const values = new Map<string, string>();
    const missing: string[] = [];
    results.forEach((result, index) => {
      const ref = refs[index] as string;
      if (!result.found) {
        const users = wanted.filter((secret) => secret.ref === ref).map((secret) => secret.name);
        missing.push(
          `${users.join(', ')} (${ref}: not found${result.reason === undefined ? '' : `, ${result.reason}`})`,
        );
      } else if (result.value === '') {
        const users = wanted.filter((secret) => secret.ref === ref).map((secret) => secret.name);
        missing.push(`${users.join(', ')} (${ref}: empty value)`);
      } else {
        values.set(ref, result.value);
      }
    });
    if (missing.length > 0) {
      values.clear();
      throw new IronrunError(
        'SECRET_MISSING',
        `ironrun: ${commandId} did not run: provider '${providerName}' has no usable value for ${missing.join('; ')}`,
        { commandId, refs },
      );
    }
    const resolved = wanted.map(({ name, ref }) => ({
      name,
      ref,
      value: values.get(ref) as string,
    }));
    values.clear();
    return resolved;
  } finally {
    deadline.clear();
    if (provider !== undefined) await disposeQuietly(provider);
  }
}
