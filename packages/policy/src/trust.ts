import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { defaultConfigDir } from './config-dir.js';
import { type PolicyFile, policyFromFile, readPolicyFile } from './load-policy.js';
import { planPins } from './pin-plan.js';
import {
  compare,
  snapshot,
  snapshotLike,
  snapshotListing,
  type TrustChangeReason,
} from './pin-state.js';
import type { ProviderReferenceMap } from './policy.js';
import { PolicyError } from './policy-error.js';
import { isInsideDir } from './project-path.js';
import {
  maxTrustedTextLength,
  readTrustRecord,
  type TrustedFile,
  type TrustRecord,
  writeTrustRecord,
} from './trust-store.js';

export type { TrustChangeReason } from './pin-state.js';

/** Options of {@link trust}. */
export interface TrustOptions {
  /** Where the trust store lives. @default defaultConfigDir() */
  configDir?: string;
  /**
   * What each provider declares about its references, by name: see
   * `ParsePolicyOptions.providers`. @default {}
   */
  providers?: ProviderReferenceMap;
  /** More reference schemes claimed without a declared syntax, so their policies validate. @default [] */
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

/**
 * Records that a person reviewed the policy at `policyPath` and the files it
 * runs: the SHA-256 of the policy, its text (for the next review's diff)
 * and the state of every path {@link planPins} names (the resolved program
 * wherever it is found, files in arguments and options, what an interpreter
 * loads, python's script folder listing), in the trust store under
 * `configDir`, keyed by the policy's real path. Refuses (`INVALID_POLICY`) a
 * command whose cwd, relative program or pin really lies outside the
 * project, or whose `path:` folder really lies inside it. The policy must be valid, and the store must lie
 * outside the project. Only a person at a terminal may call this: an agent
 * that can trust can run anything.
 *
 * @example
 * await trust('ironrun.yml'); // after reviewing it and its scripts
 */
export async function trust(
  policyPath: string | PolicyFile,
  options: TrustOptions = {},
): Promise<TrustRecord> {
  const file = typeof policyPath === 'string' ? await readPolicyFile(policyPath) : policyPath;
  const policy = policyFromFile(file, options);
  const extra = options.extraPins ?? [];
  const relative = extra.find((path) => !isAbsolute(path));
  if (relative !== undefined) {
    throw new PolicyError(
      'TRUST_STORE',
      `extraPins takes absolute paths; got a relative one (${JSON.stringify(relative.slice(0, 200))})`,
    );
  }
  const plan = await planPins(policy);
  if (plan.problems.length > 0) {
    const first = plan.problems[0]!;
    throw new PolicyError(
      'INVALID_POLICY',
      `cannot trust ${file.path}: command ${first.command}: ${JSON.stringify(first.subject.slice(0, 200))}: ${first.reason}`,
    );
  }
  const filePaths = new Set(plan.pins.filter((pin) => pin.kind === 'file').map((pin) => pin.path));
  for (const path of extra) filePaths.add(resolve(path));
  const listings = plan.pins.filter((pin) => pin.kind === 'listing').map((pin) => pin.path);
  const files = [
    ...(await Promise.all([...filePaths].sort().map(snapshot))),
    ...(await Promise.all(listings.map(snapshotListing))),
  ];
  const record: TrustRecord = {
    version: 2,
    policyPath: file.realPath,
    policySha256: file.sha256,
    trustedAt: new Date().toISOString(),
    ...(file.text.length <= maxTrustedTextLength ? { policyText: file.text } : {}),
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
  policyPath: string | PolicyFile,
  options: CheckTrustOptions = {},
): Promise<TrustCheck> {
  const file = typeof policyPath === 'string' ? await readPolicyFile(policyPath) : policyPath;
  const configDir = await storeOutside(dirname(file.realPath), options.configDir);
  const record = await readTrustRecord(configDir, file.realPath);
  if (record === undefined) return { status: 'untrusted' };
  const changed: TrustChange[] = [];
  if (file.sha256 !== record.policySha256)
    changed.push({ path: file.realPath, reason: 'modified' });
  const now = await Promise.all(record.files.map(snapshotLike));
  record.files.forEach((trusted, index) => {
    changed.push(...compare(trusted, now[index] as TrustedFile));
  });
  return changed.length === 0
    ? { status: 'trusted', policySha256: record.policySha256 }
    : { status: 'changed', changed };
}
