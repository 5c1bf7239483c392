import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  isPolicyError,
  loadPolicy,
  type Policy,
  type PolicyError,
  type PolicyIssue,
} from '@ironrun/policy';
import { isProviderPackageName, loadProvider, readProviderSchemes } from '@ironrun/provider';
import { parse } from 'yaml';
import { IronrunError } from './ironrun-error.js';

/** Options of {@link readPolicyWithProviderSchemes} and {@link validatePolicyWithProviderSchemes}. */
export interface ReadPolicyOptions {
  /**
   * Loaders of built-in providers by name (as `runSealed({ providers })`
   * takes them). Any other provider name is a third-party package, loaded
   * from the project's `node_modules`.
   * @default {}
   */
  providers?: Record<string, () => Promise<unknown>> | undefined;
}

/**
 * What {@link validatePolicyWithProviderSchemes} learned about a policy file:
 * the policy when it is valid, its problems otherwise.
 */
export type PolicyFileValidation =
  | {
      /** The policy. */
      policy: Policy;
      /** Empty: the policy is valid. */
      issues: PolicyIssue[];
      /**
       * The reference schemes the policy's provider claims that the policy
       * package does not know (`['vault']` for `vault://…`); what
       * `trust(path, { schemes })` needs. Empty for a built-in provider.
       */
      schemes: string[];
      error?: undefined;
    }
  | {
      policy?: undefined;
      /** Every problem, with line and column. */
      issues: PolicyIssue[];
      /** As above: the schemes the policy was validated with. */
      schemes: string[];
      /**
       * The error {@link readPolicyWithProviderSchemes} throws for this
       * policy: `POLICY`, listing every problem as `file:line:col: message`.
       */
      error: IronrunError;
    };

/** A valid policy, or the problems of an invalid one and the error that listed them. */
type Attempt =
  | { policy: Policy; issues: PolicyIssue[]; error?: undefined }
  | { policy?: undefined; issues: PolicyIssue[]; error: PolicyError };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readFailed(path: string, error: unknown): IronrunError {
  if (isPolicyError(error)) return new IronrunError('POLICY', error.message, { cause: error });
  return new IronrunError(
    'POLICY',
    `ironrun: could not read the policy ${path}: ${describe(error)}`,
    { cause: error },
  );
}

/** One `loadPolicy` with these schemes; an invalid policy is data, any other failure throws. */
async function attempt(path: string, schemes: readonly string[]): Promise<Attempt> {
  try {
    return { policy: await loadPolicy(path, { schemes }), issues: [] };
  } catch (error) {
    if (isPolicyError(error) && error.code === 'INVALID_POLICY') {
      return { issues: [...(error.issues ?? [])], error };
    }
    throw readFailed(path, error);
  }
}

/**
 * The `provider:` name of a policy text (`provider: x` or `provider: { name: x }`),
 * read from its YAML even when the policy is otherwise invalid; undefined when
 * there is none (the policy loader then says what is wrong, with line and column).
 */
export function providerNameOf(text: string): string | undefined {
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 0, uniqueKeys: true });
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null) return undefined;
  const provider: unknown = (document as { provider?: unknown }).provider;
  if (typeof provider === 'string') return provider;
  if (typeof provider === 'object' && provider !== null) {
    const name: unknown = (provider as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/**
 * Reads and validates the policy file at `path`, with the reference schemes
 * of its provider when that provider claims its own (a third-party package
 * whose references read `vault://…`). Problems in the policy are returned as
 * data, with line and column, as `validatePolicy` does.
 *
 * A third-party provider package (`ironrun-provider-<x>` or
 * `@scope/ironrun-provider-<x>`, not among `providers`) is never imported:
 * its schemes are read from its package.json (`"ironrun": { "schemes": [...] }`,
 * `readProviderSchemes` of `@ironrun/provider`), so no code an agent planted in
 * `node_modules` runs when a person runs `ironrun check` or `ironrun trust` to
 * review an untrusted policy. A built-in provider (code the CLI ships) is
 * imported only when it is needed to read a scheme the policy package does not
 * know. It checks no trust: for a policy an agent can edit, a server or CI job
 * checks trust first ({@link loadTrustedPolicy}, {@link runSealed} with a path).
 *
 * Throws an {@link IronrunError}: `POLICY` when the file cannot be read,
 * `PROVIDER` when the policy uses a scheme only its provider could claim and
 * that provider's schemes cannot be learned (the message says why, e.g. not
 * installed, or its package.json does not declare them).
 *
 * @example
 * const { policy, issues, schemes } = await validatePolicyWithProviderSchemes('ironrun.yml');
 * for (const issue of issues) console.error(`ironrun.yml:${issue.line}:${issue.column}: ${issue.message}`);
 */
export async function validatePolicyWithProviderSchemes(
  path: string,
  options: ReadPolicyOptions = {},
): Promise<PolicyFileValidation> {
  const read = await readWithProviderSchemes(path, options);
  if (read.policy !== undefined) {
    return { policy: read.policy, issues: read.issues, schemes: read.schemes };
  }
  return { issues: read.issues, schemes: read.schemes, error: readFailed(path, read.error) };
}

async function readWithProviderSchemes(
  path: string,
  options: ReadPolicyOptions,
): Promise<Attempt & { schemes: string[] }> {
  const providers = options.providers ?? {};
  const first = await attempt(path, []);
  let name = first.policy?.provider.name;
  if (name === undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw readFailed(path, error);
    }
    name = providerNameOf(text);
  }
  const unknownScheme = first.issues.some((issue) => issue.code === 'UNKNOWN_SCHEME');
  const builtin = Object.hasOwn(providers, name ?? '');
  const thirdParty = name !== undefined && !builtin && isProviderPackageName(name);
  if (name === undefined || !(thirdParty || (builtin && unknownScheme))) {
    return { ...first, schemes: [] };
  }

  let schemes: string[];
  try {
    const projectDir = dirname(await realpath(resolve(path)));
    // A third-party package's schemes come from its package.json: its code is never run
    // here, before any trust check. A built-in is code the CLI ships, so it is imported.
    schemes = thirdParty
      ? await readProviderSchemes(name, { projectDir })
      : [...(await loadProvider(name, { projectDir, builtins: providers })).schemes];
  } catch (error) {
    // Nothing it would claim is used: the run reports a provider that cannot load.
    if (!unknownScheme) return { ...first, schemes: [] };
    throw new IronrunError(
      'PROVIDER',
      `ironrun: ${path} uses reference schemes only its provider '${name}' could claim, and ${thirdParty ? 'its declared schemes could not be read' : 'it could not be loaded'}: ${describe(error)}`,
      { cause: error },
    );
  }
  const second = await attempt(path, schemes);
  if (second.policy !== undefined && second.policy.provider.name !== name) {
    throw new IronrunError('POLICY', `ironrun: ${path} changed while it was being read; run again`);
  }
  return { ...second, schemes };
}

/**
 * Reads the policy file at `path` as {@link validatePolicyWithProviderSchemes}
 * does (reading a third-party provider's declared reference schemes from its
 * package.json, without importing it), and
 * throws an {@link IronrunError} `POLICY` listing every problem as
 * `file:line:col: message` when it is invalid (`PROVIDER` as there). It checks
 * no trust: for a policy an agent can edit, use {@link loadTrustedPolicy}.
 *
 * @example
 * const policy = await readPolicyWithProviderSchemes('ironrun.yml', {
 *   providers: { envfile: () => import('@ironrun/providers-envfile') },
 * });
 */
export async function readPolicyWithProviderSchemes(
  path: string,
  options: ReadPolicyOptions = {},
): Promise<Policy> {
  const validation = await validatePolicyWithProviderSchemes(path, options);
  if (validation.policy !== undefined) return validation.policy;
  throw validation.error;
}
