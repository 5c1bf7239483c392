import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { defaultConfigDir } from './config-dir.js';
import { policyFromFile, readPolicyFile } from './load-policy.js';
import { pinnedFiles } from './pinned-files.js';
import { PolicyError } from './policy-error.js';
import { isInsideDir } from './project-path.js';
import {
  readTrustRecord,
  type TrustedFile,
  type TrustRecord,
  writeTrustRecord,
} from './trust-store.js';

/** Options of {@link trust}. */
export interface TrustOptions {
  /** Where the trust store lives. @default defaultConfigDir() */
  configDir?: string;
  /** Reference schemes third-party providers claim, so their policies validate. @default [] */
  schemes?: readonly string[];
  /**
   * More absolute paths to pin beside the ones the policy names, e.g. the
   * files of a third-party provider package, which runs inside ironrun with
   * the secrets in hand and which the agent could otherwise edit in
   * `node_modules`. {@link checkTrust} checks them like every pinned path.
   * @default []
   */
  extraPins?: readonly string[];
}

/** Options of {@link checkTrust}. */
export interface CheckTrustOptions {
  /** Where the trust store lives. @default defaultConfigDir() */
  configDir?: string;
}

/** Why a pinned path no longer matches what was trusted. */
export type TrustChangeReason = 'modified' | 'missing' | 'symlink' | 'added';

/** One path that changed since the policy was trusted. */
export interface TrustChange {
  /** The absolute path. */
  path: string;
  /**
   * `modified`: other content (or a symlink now points elsewhere);
   * `missing`: it was there and is gone; `symlink`: a file became a symlink
   * or a symlink became a file; `added`: it was absent and now exists.
   */
  reason: TrustChangeReason;
}

/** The outcome of {@link checkTrust}. */
export type TrustCheck =
  /**
   * `policySha256` is the hash of the bytes that were checked: parse the
   * policy afterwards and compare it with `Policy.sha256`, so a file swapped
   * between the check and the parse is caught.
   */
  | { status: 'trusted'; policySha256: string }
  | { status: 'untrusted' }
  | { status: 'changed'; changed: TrustChange[] };

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The current state of one path, in the form the trust store records it. */
async function snapshot(path: string): Promise<TrustedFile> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      const target = await readlink(path);
      try {
        const pointed = await stat(path);
        return pointed.isFile()
          ? { path, kind: 'symlink', target, sha256: await sha256OfFile(path) }
          : { path, kind: 'symlink', target };
      } catch (error) {
        if (isGone(error)) return { path, kind: 'symlink', target };
        throw error;
      }
    }
    if (info.isFile()) return { path, kind: 'file', sha256: await sha256OfFile(path) };
    if (info.isDirectory()) return { path, kind: 'directory' };
    return { path, kind: 'other' };
  } catch (error) {
    if (isGone(error)) return { path, kind: 'absent' };
    throw new PolicyError('TRUST_STORE', `cannot read ${path} to check its trust`, {
      cause: error,
    });
  }
}

/**
 * The trust store's folder, refused when it lies inside the project: there
 * the agent could write its own record.
 */
async function storeOutside(projectDir: string, configDir: string | undefined): Promise<string> {
  const dir = resolve(configDir ?? defaultConfigDir());
  const real = await realpath(dir).catch(() => dir);
  if (isInsideDir(projectDir, dir) || isInsideDir(projectDir, real)) {
    throw new PolicyError(
      'TRUST_STORE',
      `the trust store ${dir} lies inside the project ${projectDir}, where an agent could write it; use a folder outside the repository`,
    );
  }
  return dir;
}

function compare(trusted: TrustedFile, now: TrustedFile): TrustChangeReason | undefined {
  if (trusted.kind === 'absent') {
    // A folder appearing (a build output) runs nothing by itself; anything else is new content.
    return now.kind === 'absent' || now.kind === 'directory' ? undefined : 'added';
  }
  if (now.kind === 'absent') return 'missing';
  if ((trusted.kind === 'symlink') !== (now.kind === 'symlink')) return 'symlink';
  if (trusted.kind !== now.kind) return 'modified';
  if (trusted.kind === 'file' && now.kind === 'file')
    return trusted.sha256 === now.sha256 ? undefined : 'modified';
  if (trusted.kind === 'symlink' && now.kind === 'symlink') {
    return trusted.target === now.target && trusted.sha256 === now.sha256 ? undefined : 'modified';
  }
  return undefined;
}

/**
 * Records that a person reviewed the policy at `policyPath` and the files it
 * runs: the SHA-256 of the policy and the state of every path
 * {@link pinnedFiles} names, in the trust store under `configDir`, keyed by
 * the policy's real path. The policy must be valid, and the store must lie
 * outside the project. Only a person at a terminal may call this: an agent
 * that can trust can run anything.
 *
 * @example
 * await trust('ironrun.yml'); // after reviewing it and its scripts
 */
export async function trust(policyPath: string, options: TrustOptions = {}): Promise<TrustRecord> {
  const file = await readPolicyFile(policyPath);
  const policy = policyFromFile(policyPath, file, options.schemes ?? []);
  const extra = options.extraPins ?? [];
  const relative = extra.find((path) => !isAbsolute(path));
  if (relative !== undefined) {
    throw new PolicyError(
      'TRUST_STORE',
      `extraPins takes absolute paths; got a relative one (${JSON.stringify(relative.slice(0, 200))})`,
    );
  }
  const paths = [
    ...new Set([...pinnedFiles(policy), ...extra.map((path) => resolve(path))]),
  ].sort();
  const files = await Promise.all(paths.map(snapshot));
  const record: TrustRecord = {
    version: 1,
    policyPath: file.realPath,
    policySha256: sha256(file.bytes),
    trustedAt: new Date().toISOString(),
    files,
  };
  await writeTrustRecord(await storeOutside(policy.dir, options.configDir), record);
  return record;
}

/**
 * Checks the policy at `policyPath` against what {@link trust} recorded:
 * `trusted` when the policy and every pinned path are as they were,
 * `untrusted` when it was never trusted (at this real path), `changed` with
 * the paths that differ otherwise. Does not parse the policy: identical
 * bytes name the identical pinned paths. Throws {@link PolicyError}
 * `READ_FAILED` when the policy cannot be read, `TRUST_STORE` when the store
 * is unreadable, damaged, or inside the project.
 *
 * @example
 * const check = await checkTrust('ironrun.yml');
 * if (check.status !== 'trusted') throw new Error('review the policy, then run ironrun trust');
 */
export async function checkTrust(
  policyPath: string,
  options: CheckTrustOptions = {},
): Promise<TrustCheck> {
  const file = await readPolicyFile(policyPath);
  const configDir = await storeOutside(dirname(file.realPath), options.configDir);
  const record = await readTrustRecord(configDir, file.realPath);
  if (record === undefined) return { status: 'untrusted' };
  const changed: TrustChange[] = [];
  if (sha256(file.bytes) !== record.policySha256)
    changed.push({ path: file.realPath, reason: 'modified' });
  const now = await Promise.all(record.files.map((trusted) => snapshot(trusted.path)));
  record.files.forEach((trusted, index) => {
    const reason = compare(trusted, now[index]!);
    if (reason !== undefined) changed.push({ path: trusted.path, reason });
  });
  return changed.length === 0
    ? { status: 'trusted', policySha256: record.policySha256 }
    : { status: 'changed', changed };
}
