import { readFile } from 'node:fs/promises';
import { isPolicyError, loadPolicy, type Policy, validatePolicy } from '@ironrun/policy';
import { loadProvider } from '@ironrun/provider';
import { IronrunError } from './ironrun-error.js';

const schemeLike = /\b([A-Za-z][A-Za-z0-9+.-]{0,63}):\/\//g;

/**
 * The reference schemes the policy's third-party provider claims, or
 * undefined when they cannot be learned. The provider's name is read by
 * accepting every scheme-like prefix of the text once; the policy is then
 * parsed again with exactly the provider's schemes. Only called after the
 * policy passed its trust check, since it loads the provider's code.
 */
async function thirdPartySchemes(
  path: string,
  providers: Record<string, () => Promise<unknown>> | undefined,
): Promise<readonly string[] | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const candidates = [
      ...new Set([...text.matchAll(schemeLike)].map((match) => match[1] as string)),
    ];
    const { policy } = validatePolicy(text, { filename: path, schemes: candidates });
    if (policy === undefined) return undefined;
    const definition = await loadProvider(policy.provider.name, {
      projectDir: policy.dir,
      ...(providers === undefined ? {} : { builtins: providers }),
    });
    return definition.schemes;
  } catch {
    return undefined;
  }
}

function policyError(source: string, error: unknown): IronrunError {
  if (isPolicyError(error)) return new IronrunError('POLICY', error.message, { cause: error });
  const detail = error instanceof Error ? error.message : String(error);
  return new IronrunError('POLICY', `ironrun: could not read the policy ${source}: ${detail}`, {
    cause: error,
  });
}

/**
 * Reads a policy given as a path (a parsed one is returned as is); failures
 * are IronrunError `POLICY`. A policy whose provider is a third-party
 * package using its own reference scheme (`vault://…`) is read with that
 * provider's schemes.
 */
export async function readPolicy(
  source: Policy | string,
  providers?: Record<string, () => Promise<unknown>>,
): Promise<Policy> {
  if (typeof source !== 'string') return source;
  try {
    return await loadPolicy(source);
  } catch (error) {
    const issues = isPolicyError(error) ? (error.issues ?? []) : [];
    if (issues.length === 0 || !issues.every((issue) => issue.code === 'UNKNOWN_SCHEME')) {
      throw policyError(source, error);
    }
    const schemes = await thirdPartySchemes(source, providers);
    if (schemes === undefined) throw policyError(source, error);
    try {
      return await loadPolicy(source, { schemes });
    } catch (again) {
      throw policyError(source, again);
    }
  }
}
