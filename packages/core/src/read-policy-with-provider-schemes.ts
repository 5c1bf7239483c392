import { dirname } from 'node:path';
import {
  invalidPolicyError,
  isPolicyError,
  type Policy,
  type PolicyFile,
  type PolicyIssue,
  type ProviderReferenceMap,
  policyFileProvider,
  readPolicyFile,
  validatePolicyFile,
} from '@ironrun/policy';
import { isProviderPackageName, type ProviderRegistry } from '@ironrun/provider';
import { providerRegistry } from './builtin-providers.js';
import { IronrunError } from './ironrun-error.js';

/** Options of {@link readPolicyWithProviderSchemes} and {@link validatePolicyWithProviderSchemes}. */
export interface ReadPolicyOptions {
  /**
   * Provider modules by name (as `runSealed({ providers })` takes them),
   * replacing or adding to the built-in providers. Any other provider name
   * is a third-party package, found in the project's `node_modules`.
   * @default {}: the built-in providers only
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
       * The reference schemes of the policy's provider when it is a
       * third-party package (`['vault']` for `vault://…`). Empty for a
       * built-in provider.
       */
      schemes: string[];
      /**
       * What each provider declared about its references, as the policy was
       * validated with them: what `trust(file, { providers })` needs.
       */
      providers: ProviderReferenceMap;
      /** The file as it was read, once: trust exactly these bytes. */
      file: PolicyFile;
      error?: undefined;
    }
  | {
      policy?: undefined;
      /** Every problem, with line and column. */
      issues: PolicyIssue[];
      /** As above: the schemes the policy was validated with. */
      schemes: string[];
      /** As above. */
      providers: ProviderReferenceMap;
      /** As above. */
      file: PolicyFile;
      /**
       * The error {@link readPolicyWithProviderSchemes} throws for this
       * policy: `POLICY`, listing every problem as `file:line:col: message`.
       */
      error: IronrunError;
    };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error for a policy file that cannot be read. */
export function readFailed(path: string, error: unknown): IronrunError {
  if (isPolicyError(error)) return new IronrunError('POLICY', error.message, { cause: error });
  return new IronrunError(
    'POLICY',
    `ironrun: could not read the policy ${path}: ${describe(error)}`,
    { cause: error },
  );
}

/** Reads the policy file at `path` once, as an {@link IronrunError} `POLICY` when it cannot be. */
export async function readPolicyOnce(path: string): Promise<PolicyFile> {
  try {
    return await readPolicyFile(path);
  } catch (error) {
    throw readFailed(path, error);
  }
}

/**
 * Validates a policy file read once, with the references every provider
 * declares: the built-ins' from their manifests, and the policy's own
 * provider's when it is not one of them (a third-party package's from its
 * package.json, never by running its code). A provider whose declaration
 * cannot be learned matters only if the policy uses a scheme only it could
 * claim: then it is a `PROVIDER` error saying why.
 */
export async function validateFileWithRegistry(
  file: PolicyFile,
  registry: ProviderRegistry,
): Promise<PolicyFileValidation> {
  const providers: Record<string, ProviderReferenceMap[string]> = {
    ...(await registry.builtinDeclarations()),
  };
  const name = policyFileProvider(file);
  const first = validatePolicyFile(file, { providers });
  const unknownScheme = first.issues.some((issue) => issue.code === 'UNKNOWN_SCHEME');
  // A third-party package's declaration is data (its package.json), read every time; a
  // built-in known only by its module is imported only when the policy needs its schemes.
  const lookUp =
    name !== undefined &&
    !Object.hasOwn(providers, name) &&
    (registry.isBuiltin(name) ? unknownScheme : isProviderPackageName(name));
  if (!lookUp) return withError({ ...first, schemes: [], providers, file });
  let declaration: Awaited<ReturnType<ProviderRegistry['declaration']>>;
  try {
    declaration = await registry.declaration(name, { projectDir: dirname(file.realPath) });
  } catch (error) {
    // Nothing it would claim is used: the run reports a provider that cannot load.
    if (!unknownScheme) return withError({ ...first, schemes: [], providers, file });
    throw new IronrunError(
      'PROVIDER',
      `ironrun: ${file.path} uses reference schemes only its provider '${name}' could claim, and ${registry.isBuiltin(name) ? 'it could not be loaded' : 'its declared schemes could not be read'}: ${describe(error)}`,
      { cause: error },
    );
  }
  providers[name] = declaration;
  // The same parse, validated again with what the provider declares: no second read.
  const second = validatePolicyFile(file, { providers });
  return withError({ ...second, schemes: [...declaration.schemes], providers, file });
}

/** Adds the `POLICY` error listing every problem to a validation that found some. */
function withError(validation: {
  policy?: Policy | undefined;
  issues: PolicyIssue[];
  schemes: string[];
  providers: ProviderReferenceMap;
  file: PolicyFile;
}): PolicyFileValidation {
  const { policy, issues, schemes, providers, file } = validation;
  if (policy !== undefined) return { policy, issues, schemes, providers, file };
  return {
    issues,
    schemes,
    providers,
    file,
    error: readFailed(file.path, invalidPolicyError(file.path, issues)),
  };
}

/**
 * Reads the policy file at `path` once and validates it, with the reference
 * declarations of every built-in provider and of the policy's own provider
 * (a third-party package's from its package.json, `"ironrun": { "schemes":
 * [...], "references": {...} }`). Problems in the policy are returned as
 * data, with line and column, as `validatePolicy` does.
 *
 * A third-party provider package (`ironrun-provider-<x>` or
 * `@scope/ironrun-provider-<x>`) is never imported here, so no code an agent
 * planted in `node_modules` runs when a person runs `ironrun check` or
 * `ironrun trust` to review an untrusted policy. It checks no trust: for a
 * policy an agent can edit, a server or CI job checks trust first
 * ({@link loadTrustedPolicy}, {@link runSealed} with a path).
 *
 * Throws an {@link IronrunError}: `POLICY` when the file cannot be read,
 * `PROVIDER` when the policy uses a scheme only its provider could claim and
 * that provider's declaration cannot be learned (the message says why, e.g.
 * not installed, or its package.json does not declare its schemes).
 *
 * @example
 * const { policy, issues, schemes } = await validatePolicyWithProviderSchemes('ironrun.yml');
 * for (const issue of issues) console.error(`ironrun.yml:${issue.line}:${issue.column}: ${issue.message}`);
 */
export async function validatePolicyWithProviderSchemes(
  path: string,
  options: ReadPolicyOptions = {},
): Promise<PolicyFileValidation> {
  return validateFileWithRegistry(await readPolicyOnce(path), providerRegistry(options.providers));
}

/**
 * Reads the policy file at `path` as {@link validatePolicyWithProviderSchemes}
 * does, and throws an {@link IronrunError} `POLICY` listing every problem as
 * `file:line:col: message` when it is invalid (`PROVIDER` as there). It checks
 * no trust: for a policy an agent can edit, use {@link loadTrustedPolicy}.
 *
 * @example
 * const policy = await readPolicyWithProviderSchemes('ironrun.yml');
 */
export async function readPolicyWithProviderSchemes(
  path: string,
  options: ReadPolicyOptions = {},
): Promise<Policy> {
  const validation = await validatePolicyWithProviderSchemes(path, options);
  if (validation.policy !== undefined) return validation.policy;
  throw validation.error;
}
