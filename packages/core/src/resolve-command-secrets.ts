import {
  defaultConfigDir,
  isInsideDirEitherWay,
  type Policy,
  type PolicyCommand,
} from '@ironrun/policy';
import {
  abortable,
  isProviderError,
  type ProviderDefinition,
  ProviderError,
  type ResolveResult,
  resolveWithTimeout,
  type SecretProvider,
  startDeadline,
} from '@ironrun/provider';
import { providerRegistry } from './builtin-providers.js';
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

/** One reference wanted: the variable that receives it, the reference and its scheme. */
interface WantedSecret {
  name: string;
  ref: string;
  scheme: string;
}

/** How a resolution reports failures: its provider error, and its cancellation. */
interface ResolutionErrors {
  fail: (message: string, cause?: unknown) => IronrunError;
  canceled: (cause: unknown) => IronrunError;
}

/**
 * Loads the policy's provider through the registry, checks it claims every wanted scheme,
 * creates it and resolves `refs` (distinct), all under one deadline, then disposes it.
 * Results are in the order of `refs`.
 */
async function resolveThroughProvider(
  policy: Policy,
  wanted: readonly WantedSecret[],
  refs: readonly string[],
  options: ResolveCommandSecretsOptions,
  errors: ResolutionErrors,
): Promise<ResolveResult[]> {
  const providerName = policy.provider.name;
  const { fail } = errors;
  // The one deadline of the resolution: loading, starting and asking the provider all share
  // it (resolveWithTimeout and the provider's own deadline reuse this timer, see startDeadline).
  const timedOut = fail(
    `the secret provider '${providerName}' did not answer within ${options.timeoutMs} ms`,
  );
  const deadline = startDeadline(options.signal, options.timeoutMs, () => timedOut);
  const stopped = () =>
    deadline.signal.reason === timedOut ? timedOut : errors.canceled(options.signal?.reason);

  let provider: SecretProvider | undefined;
  try {
    let definition: ProviderDefinition;
    try {
      // Whatever abortable rejects with after the deadline, the deadline's own reason is thrown.
      definition = await abortable(
        providerRegistry(options.providers).load(providerName, { projectDir: policy.dir }),
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
            isInsideProject: (path) => isInsideDirEitherWay(policy.dir, path),
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
    try {
      return await resolveWithTimeout(provider, refs, {
        timeoutMs: options.timeoutMs,
        signal: deadline.signal,
      });
    } catch (error) {
      if (deadline.signal.aborted) throw stopped();
      throw fail(`the secret provider '${providerName}' failed: ${describe(error)}`, error);
    }
  } finally {
    deadline.clear();
    if (provider !== undefined) await disposeQuietly(provider);
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
  const wanted: WantedSecret[] = [];
  for (const [name, value] of Object.entries(command.env)) {
    if (value.kind === 'secret') wanted.push({ name, ref: value.ref, scheme: value.scheme });
  }
  if (wanted.length === 0) return [];
  const commandId = command.id;
  const refs = [...new Set(wanted.map((secret) => secret.ref))];
  const providerName = policy.provider.name;
  const results = await resolveThroughProvider(policy, wanted, refs, options, {
    fail: (message, cause) =>
      new IronrunError(
        'PROVIDER',
        `ironrun: ${message}; ${commandId} did not run. References: ${refs.join(', ')}`,
        { commandId, refs, cause: safeCause(cause) },
      ),
    canceled: (cause) =>
      new IronrunError(
        'CANCELED',
        `ironrun: the run of ${commandId} was canceled before it started`,
        { commandId, refs, cause },
      ),
  });
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
}

/** Where one secret reference is used: which command, under which variable name. */
export interface ReferenceUse {
  readonly commandId: string;
  readonly name: string;
}

/**
 * The outcome for one reference of a policy. `value` is held in memory only: print
 * `found`, the reference and its uses, never the value.
 */
export type ResolvedReference =
  | { ref: string; uses: ReferenceUse[]; found: true; value: string }
  | { ref: string; uses: ReferenceUse[]; found: false; reason?: string };

/** Options of {@link resolvePolicySecrets}. */
export interface ResolvePolicySecretsOptions {
  /**
   * Where the provider reads its own credentials.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * The user's ironrun configuration folder.
   * @default defaultConfigDir() from `@ironrun/policy`
   */
  configDir?: string | undefined;
  /**
   * How long the provider may take to load and resolve every reference.
   * @default 30_000
   */
  timeoutMs?: number | undefined;
  /** Provider modules by name, replacing or adding to the built-in providers. @default {} */
  providers?: Record<string, () => Promise<unknown>> | undefined;
}

/**
 * Resolves every secret reference of a policy through its provider (built-in or a
 * provider package from the project's `node_modules`), once each, for `ironrun check
 * --providers` and `ironrun audit`: a reference not found is a result, not an error.
 * Resolves through the same path as {@link runSealed} (one deadline, the provider
 * disposed after). Throws an {@link IronrunError} `PROVIDER` (naming references, never a
 * value) when the provider cannot be loaded, started, or fails. It checks no trust: the
 * policy is one a person is checking.
 *
 * @example
 * const policy = await readPolicyWithProviderSchemes('ironrun.yml');
 * for (const reference of await resolvePolicySecrets(policy)) console.log(reference.ref, reference.found);
 */
export async function resolvePolicySecrets(
  policy: Policy,
  options: ResolvePolicySecretsOptions = {},
): Promise<ResolvedReference[]> {
  const uses = new Map<string, ReferenceUse[]>();
  const wanted: WantedSecret[] = [];
  for (const command of policy.commands) {
    for (const [name, value] of Object.entries(command.env)) {
      if (value.kind !== 'secret') continue;
      wanted.push({ name, ref: value.ref, scheme: value.scheme });
      const list = uses.get(value.ref) ?? [];
      list.push({ commandId: command.id, name });
      uses.set(value.ref, list);
    }
  }
  const refs = [...uses.keys()];
  if (refs.length === 0) return [];
  const results = await resolveThroughProvider(
    policy,
    wanted,
    refs,
    {
      providers: options.providers,
      env: options.env ?? process.env,
      configDir: options.configDir ?? defaultConfigDir(),
      timeoutMs: options.timeoutMs ?? 30_000,
    },
    {
      fail: (message, cause) =>
        new IronrunError('PROVIDER', `ironrun: ${message}. References: ${refs.join(', ')}`, {
          refs,
          cause: safeCause(cause),
        }),
      canceled: (cause) =>
        new IronrunError('CANCELED', 'ironrun: resolving the references was canceled', {
          refs,
          cause,
        }),
    },
  );
  return results.map((result, index) => {
    const ref = refs[index] as string;
    const users = uses.get(ref) ?? [];
    return result.found
      ? { ref, uses: users, found: true, value: result.value }
      : {
          ref,
          uses: users,
          found: false,
          ...(result.reason === undefined ? {} : { reason: result.reason }),
        };
  });
}
