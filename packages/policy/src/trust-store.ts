import { createHash, randomBytes } from 'node:crypto';
// Reads are synchronous (one small file per check, less than a round trip through libuv's thread
// pool); writes go through `fs.promises`, looked up at the call, so a run that only reads the
// store (`ironrun run`) never loads node:fs/promises.
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { PolicyError } from './policy-error.js';

const sha256Pattern = /^[0-9a-f]{64}$/;
/** device:inode:size:mtimeNs:ctimeNs of a file too large to hash on every check. */
const fingerprintPattern = /^\d+:\d+:\d+:\d+:\d+$/;

const listingEntrySchema = v.strictObject({
  name: v.string(),
  kind: v.picklist(['module', 'package', 'directory']),
  sha256: v.optional(v.pipe(v.string(), v.regex(sha256Pattern))),
});

/** One name in a `path:` folder: its state (see `snapshot`) as the SHA-256 of its JSON. */
const programEntrySchema = v.strictObject({
  name: v.string(),
  state: v.pipe(v.string(), v.regex(sha256Pattern)),
});

const trustedFileSchema = v.variant('kind', [
  v.strictObject({
    path: v.string(),
    kind: v.literal('file'),
    sha256: v.optional(v.pipe(v.string(), v.regex(sha256Pattern))),
    fingerprint: v.optional(v.pipe(v.string(), v.regex(fingerprintPattern))),
    executable: v.optional(v.boolean()),
  }),
  v.strictObject({
    path: v.string(),
    kind: v.literal('symlink'),
    target: v.string(),
    sha256: v.optional(v.pipe(v.string(), v.regex(sha256Pattern))),
    fingerprint: v.optional(v.pipe(v.string(), v.regex(fingerprintPattern))),
    executable: v.optional(v.boolean()),
  }),
  v.strictObject({
    path: v.string(),
    kind: v.literal('listing'),
    entries: v.array(listingEntrySchema),
  }),
  v.strictObject({
    path: v.string(),
    kind: v.literal('programs'),
    entries: v.array(programEntrySchema),
  }),
  v.strictObject({
    path: v.string(),
    kind: v.literal('part'),
    part: v.string(),
    sha256: v.pipe(v.string(), v.regex(sha256Pattern)),
  }),
  v.strictObject({ path: v.string(), kind: v.picklist(['directory', 'absent', 'other']) }),
]);

/** The largest policy text the store keeps for the review's diff: the policy size limit. */
export const maxTrustedTextLength = 1024 * 1024;

const trustedCommandSchema = v.strictObject({
  digest: v.pipe(v.string(), v.regex(sha256Pattern)),
  paths: v.array(v.string()),
  program: v.optional(v.string()),
});

const trustRecordSchema = v.variant('version', [
  v.strictObject({
    version: v.literal(2),
    policyPath: v.string(),
    policySha256: v.pipe(v.string(), v.regex(sha256Pattern)),
    trustedAt: v.string(),
    policyText: v.optional(v.pipe(v.string(), v.maxLength(maxTrustedTextLength))),
    files: v.array(trustedFileSchema),
  }),
  v.strictObject({
    version: v.literal(3),
    policyPath: v.string(),
    policySha256: v.pipe(v.string(), v.regex(sha256Pattern)),
    complete: v.boolean(),
    trustedAt: v.string(),
    policyText: v.optional(v.pipe(v.string(), v.maxLength(maxTrustedTextLength))),
    commands: v.record(v.string(), trustedCommandSchema),
    shared: v.array(v.string()),
    files: v.array(trustedFileSchema),
  }),
]);

/** One name python can import from a listed folder: a module file (hashed), a regular package, or a bare folder. */
export type TrustedListingEntry = v.InferOutput<typeof listingEntrySchema>;

/**
 * The recorded state of one pinned path: a regular file and its SHA-256
 * (and whether it is executable), a symlink (its target, and the SHA-256 of
 * what it points to when that is a file), a directory (not hashed), the
 * importable names of a folder first on python's `sys.path` (`listing`),
 * every name of a toolchain's `path:` folder with its state (`programs`),
 * the SHA-256 of one part of a file (`part`: see `pinPartText`),
 * something else (a device, a socket), or nothing at all.
 */
export type TrustedFile = v.InferOutput<typeof trustedFileSchema>;

/** What per-command trust recorded for one command. */
export interface TrustedCommand {
  /** The digest of the command's entry and everything outside `commands` (see `commandDigests`). */
  digest: string;
  /**
   * The pins (in `TrustRecord.files`) this command depends on, by key: the
   * path of a whole file, `listing\0<path>` or `part\0<path>\0<part>`.
   */
  paths: string[];
  /**
   * The real path `argv[0]` resolved to, when it names a program through
   * links in the project (a venv's `.venv/bin/python3`): a run must resolve
   * it to this file.
   */
  program?: string;
}

/** What `trust` recorded for one policy. */
export interface TrustRecord {
  /**
   * The record format version: 3 records each command apart; a version 2
   * record (one hash for the whole file) is still read and checked as a
   * whole; a version 1 record (which pinned less) reads as never trusted.
   */
  version: 2 | 3;
  /** The policy's real path: the key of the record. */
  policyPath: string;
  /** The SHA-256 of the policy file's bytes when it was last trusted. */
  policySha256: string;
  /**
   * Whether every command of that text was trusted (version 3): only then
   * do identical bytes prove every command trusted without parsing.
   */
  complete?: boolean;
  /** When the record was written (ISO 8601). */
  trustedAt: string;
  /**
   * The policy text that was trusted, kept (outside the project) so the
   * next review can show a diff; absent when it was larger than
   * {@link maxTrustedTextLength} or not valid text. After trusting only
   * some commands, the text of the last full trust is kept, so the next
   * diff still shows every change no person has reviewed as a whole.
   */
  policyText?: string;
  /** The trusted commands by id (version 3). */
  commands?: Record<string, TrustedCommand>;
  /** Pinned paths every command depends on, such as a provider package's files (version 3). */
  shared?: string[];
  /** The state of every pinned path, sorted by path. */
  files: TrustedFile[];
}

/** The trust store file of one policy: one file per policy, so writers of different policies never collide. */
export function trustRecordPath(configDir: string, policyRealPath: string): string {
  const key = createHash('sha256').update(policyRealPath).digest('hex');
  return join(configDir, 'trust', `${key}.json`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the record of a policy, or `undefined` when it was never trusted. */
export async function readTrustRecord(
  configDir: string,
  policyRealPath: string,
): Promise<TrustRecord | undefined> {
  const file = trustRecordPath(configDir, policyRealPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PolicyError('TRUST_STORE', `cannot read the trust store ${file}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(
      'TRUST_STORE',
      `the trust store ${file} is not valid JSON; run ironrun trust again`,
      {
        cause: error,
      },
    );
  }
  // A record of the first format pinned less than trust now does: review again.
  if (isRecord(parsed) && parsed.version === 1 && parsed.policyPath === policyRealPath)
    return undefined;
  const result = v.safeParse(trustRecordSchema, parsed);
  if (!result.success || result.output.policyPath !== policyRealPath) {
    throw new PolicyError(
      'TRUST_STORE',
      `the trust store ${file} is damaged; run ironrun trust again`,
    );
  }
  return result.output as TrustRecord;
}

/**
 * Writes a record atomically: to a temporary file in the same folder
 * (flushed to disk), then renamed over the old record, so a reader sees the
 * old record or the new one, never a mix, and concurrent writers each leave
 * a whole record.
 */
export async function writeTrustRecord(configDir: string, record: TrustRecord): Promise<void> {
  const file = trustRecordPath(configDir, record.policyPath);
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.mkdir(join(configDir, 'trust'), { recursive: true, mode: 0o700 });
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw new PolicyError('TRUST_STORE', `cannot write the trust store ${file}`, { cause: error });
  }
}

/** Windows refuses a rename over a file another process holds open for a moment; retry briefly. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 20 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      await new Promise((done) => setTimeout(done, 10 + attempt * 10));
    }
  }
}
