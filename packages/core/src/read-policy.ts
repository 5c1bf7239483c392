import { isPolicyError, loadPolicy, type Policy } from '@ironrun/policy';
import { IronrunError } from './ironrun-error.js';

/** Reads a policy given as a path (a parsed one is returned as is); failures are IronrunError `POLICY`. */
export async function readPolicy(source: Policy | string): Promise<Policy> {
  if (typeof source !== 'string') return source;
  try {
    return await loadPolicy(source);
  } catch (error) {
    if (isPolicyError(error)) throw new IronrunError('POLICY', error.message, { cause: error });
    const detail = error instanceof Error ? error.message : String(error);
    throw new IronrunError('POLICY', `ironrun: could not read the policy ${source}: ${detail}`, {
      cause: error,
    });
  }
}
