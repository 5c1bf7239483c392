import { statSync } from 'node:fs';

/**
 * How long before a hash starts a file's last change must lie for the hash to
 * be kept. The kernel stamps mtime and ctime from a clock that advances once
 * per tick (1–10 ms), so two writes within one tick can leave the same times;
 * a file changed that recently is hashed again on every call instead (what
 * git calls "racily clean"). One second is far above any tick.
 */
const settledNs = 1_000_000_000n;
/** Past this many entries the cache is emptied and starts over. */
const maxEntries = 4096;

interface Entry {
  /** dev:ino:size:mtimeNs:ctimeNs of the file when it was hashed. */
  identity: string;
  sha256: string;
}

const hashes = new Map<string, Entry>();

function identityOf(info: import('node:fs').BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/**
 * The SHA-256 of the file at `path` (symlinks followed), computed by `hash`
 * unless the same file was hashed before in this process and has not changed
 * since: same device, inode, size, modification time and change time, every
 * one stat'ed again on every call. A process of the same user can rewrite a
 * file and set its modification time back (`utimes`), but not its change
 * time, and a file swapped in has another inode or change time, so any
 * change since the hash means a new hash. A hash is kept only when the file
 * was the same before and after it was read, and its last change was at
 * least a second before the read began (see {@link settledNs}). A long-lived
 * process (the MCP server, the `ironrun agent` broker) checks the same pins
 * on every call; a one-shot CLI gains nothing and loses nothing.
 */
export function sha256OfUnchangedFile(path: string, hash: (path: string) => string): string {
  const began = BigInt(Date.now()) * 1_000_000n;
  const before = statSync(path, { bigint: true });
  const identity = identityOf(before);
  const cached = hashes.get(path);
  if (cached !== undefined && cached.identity === identity) return cached.sha256;
  const sha256 = hash(path);
  // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigints.
  const changedAt = before.ctimeNs > before.mtimeNs ? before.ctimeNs : before.mtimeNs;
  let after: import('node:fs').BigIntStats | undefined;
  try {
    after = statSync(path, { bigint: true });
  } catch {
    // gone since: not kept
  }
  if (after !== undefined && identityOf(after) === identity && changedAt + settledNs < began) {
    if (hashes.size >= maxEntries) hashes.clear();
    hashes.set(path, { identity, sha256 });
  } else {
    hashes.delete(path);
  }
  return sha256;
}
