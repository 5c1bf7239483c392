import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { PolicyError } from './policy-error.js';

const sha256Pattern = /^[0-9a-f]{64}$/;

const trustedFileSchema = v.variant('kind', [
  v.strictObject({
    path: v.string(),
    kind: v.literal('file'),
    sha256: v.pipe(v.string(), v.regex(sha256Pattern)),
  }),
  v.strictObject({
    path: v.string(),
    kind: v.literal('symlink'),
    target: v.string(),
    sha256: v.optional(v.pipe(v.string(), v.regex(sha256Pattern))),
  }),
  v.strictObject({ path: v.string(), kind: v.picklist(['directory', 'absent', 'other']) }),
]);

const trustRecordSchema = v.strictObject({
  version: v.literal(1),
  policyPath: v.string(),
  policySha256: v.pipe(v.string(), v.regex(sha256Pattern)),
  trustedAt: v.string(),
  files: v.array(trustedFileSchema),
});

/**
 * The recorded state of one pinned path: a regular file and its SHA-256, a
 * symlink (its target, and the SHA-256 of what it points to when that is a
 * file), a directory (not hashed), something else (a device, a socket), or
 * nothing at all.
 */
export type TrustedFile = v.InferOutput<typeof trustedFileSchema>;

/** What `trust` recorded for one policy. */
export interface TrustRecord {
  /** The record format version. */
  version: 1;
  /** The policy's real path: the key of the record. */
  policyPath: string;
  /** The SHA-256 of the policy file's bytes. */
  policySha256: string;
  /** When the record was written (ISO 8601). */
  trustedAt: string;
  /** The state of every pinned path, sorted by path. */
  files: TrustedFile[];
}

/** The trust store file of one policy: one file per policy, so writers of different policies never collide. */
export function trustRecordPath(configDir: string, policyRealPath: string): string {
  const key = createHash('sha256').update(policyRealPath).digest('hex');
  return join(configDir, 'trust', `${key}.json`);
}

/** Reads the record of a policy, or `undefined` when it was never trusted. */
export async function readTrustRecord(
  configDir: string,
  policyRealPath: string,
): Promise<TrustRecord | undefined> {
  const file = trustRecordPath(configDir, policyRealPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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
  const result = v.safeParse(trustRecordSchema, parsed);
  if (!result.success || result.output.policyPath !== policyRealPath) {
    throw new PolicyError(
      'TRUST_STORE',
      `the trust store ${file} is damaged; run ironrun trust again`,
    );
  }
  return result.output;
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
    await mkdir(join(configDir, 'trust'), { recursive: true, mode: 0o700 });
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new PolicyError('TRUST_STORE', `cannot write the trust store ${file}`, { cause: error });
  }
}

/** Windows refuses a rename over a file another process holds open for a moment; retry briefly. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 20 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      await new Promise((done) => setTimeout(done, 10 + attempt * 10));
    }
  }
}
