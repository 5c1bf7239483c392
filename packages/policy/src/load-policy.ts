import { createHash } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Policy } from './policy.js';
import { invalidPolicyError, PolicyError } from './policy-error.js';
import { maxPolicyLength, validatePolicySource } from './validate-policy.js';

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /**
   * Reference schemes third-party providers claim, besides the built-in ones.
   * @default []
   */
  schemes?: readonly string[];
}

/** A policy file read once: its real path, its bytes and its text. */
export interface PolicyFileContent {
  realPath: string;
  bytes: Uint8Array;
  text: string;
}

/**
 * Resolves `path` to its real path and reads it once, refusing anything but
 * a regular file of valid UTF-8 within the size limit. Callers that hash the
 * policy hash these same bytes, so what is hashed is what is parsed.
 */
export async function readPolicyFile(path: string): Promise<PolicyFileContent> {
  try {
    const realPath = await realpath(path);
    const handle = await open(realPath, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Error('not a regular file');
      if (info.size > maxPolicyLength * 4) throw new Error('larger than 1 MiB');
      const bytes = await handle.readFile();
      return { realPath, bytes, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : error instanceof TypeError
            ? 'not valid UTF-8'
            : error instanceof Error && code === undefined
              ? error.message
              : (code ?? 'unknown error');
    throw new PolicyError('READ_FAILED', `cannot read policy ${path}: ${why}`, {
      cause: error,
      filename: path,
    });
  }
}

/** Validates the text of a policy file read by {@link readPolicyFile}, throwing `INVALID_POLICY`. */
export function policyFromFile(
  path: string,
  file: PolicyFileContent,
  schemes: readonly string[],
): Policy {
  const { policy, issues } = validatePolicySource(file.text, {
    displayName: path,
    path: file.realPath,
    dir: dirname(file.realPath),
    schemes,
  });
  if (policy === undefined) throw invalidPolicyError(path, issues);
  // The file's own bytes (a BOM included), the same bytes checkTrust hashes.
  policy.sha256 = createHash('sha256').update(file.bytes).digest('hex');
  return policy;
}

/**
 * Reads and validates the policy at `path`. The policy's `path` is the file's
 * real path (symlinks resolved) and `dir` its folder. Throws one
 * {@link PolicyError}: `READ_FAILED` when the file cannot be read,
 * `INVALID_POLICY` listing every problem as `file:line:col: message`.
 *
 * @example
 * const policy = await loadPolicy('ironrun.yml');
 * console.log(policy.commands.map((command) => command.id));
 */
export async function loadPolicy(path: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  return policyFromFile(path, await readPolicyFile(path), options.schemes ?? []);
}
