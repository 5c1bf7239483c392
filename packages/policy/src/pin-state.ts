import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { sha256OfUnchangedFile } from './content-hash-cache.js';
import { pinPartText } from './pin-part.js';
import { type PinPlan, plannedPinKey } from './pin-plan.js';
import { PolicyError } from './policy-error.js';
import type { TrustedFile, TrustedListingEntry } from './trust-store.js';

/** Why a pinned path no longer matches what was trusted. */
export type TrustChangeReason = 'modified' | 'missing' | 'symlink' | 'added';

// The checks below are synchronous: each is a system call or two on a local disk, and a file
// hashed here is at most maxHashedBytes, read in a few calls, where each round trip through
// libuv's thread pool costs more than the call (bench/run-overhead.bench.mjs of @ironrun/cli;
// a run makes a dozen). The hash itself always ran on this thread. Only a larger file, whose
// part is pinned, is read as a stream (sha256OfFile).

const hashChunkBytes = 1024 * 1024;

/** The SHA-256 of the file at `path`, read synchronously (for files up to {@link maxHashedBytes}). */
export function sha256OfFileNow(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(hashChunkBytes);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      hash.update(chunk.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The SHA-256 of the file at `path`, of any size, read as a stream. */
export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Files larger than this are recorded by their stat fingerprint, not hashed (see {@link contentOf}). */
export const maxHashedBytes = 4 * 1024 * 1024;

/**
 * What identifies the content of the file at `path` (symlinks followed): its
 * SHA-256, or for a file larger than {@link maxHashedBytes} (an interpreter
 * binary found on the PATH, 100 MB for node: 250 ms to hash on every check)
 * its device, inode, size, and modification and change times. A process of
 * the same user can rewrite a file or swap another in, but cannot set the
 * change time back, so either shows in the fingerprint.
 */
function contentOf(path: string, size: number): { sha256: string } | { fingerprint: string } {
  if (size <= maxHashedBytes) return { sha256: sha256OfUnchangedFile(path, sha256OfFileNow) };
  const info = statSync(path, { bigint: true });
  return { fingerprint: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}` };
}

/** The current state of one path, in the form the trust store records it. */
export async function snapshot(path: string): Promise<TrustedFile> {
  try {
    const info = lstatSync(path);
    if (info.isSymbolicLink()) {
      const target = readlinkSync(path);
      try {
        const pointed = statSync(path);
        if (!pointed.isFile()) return { path, kind: 'symlink', target };
        const content = contentOf(path, pointed.size);
        return { path, kind: 'symlink', target, ...content, executable: isExecutable(path) };
      } catch (error) {
        if (isGone(error)) return { path, kind: 'symlink', target };
        throw error;
      }
    }
    if (info.isFile()) {
      return {
        path,
        kind: 'file',
        ...contentOf(path, info.size),
        executable: isExecutable(path),
      };
    }
    if (info.isDirectory()) return { path, kind: 'directory' };
    return { path, kind: 'other' };
  } catch (error) {
    if (isGone(error)) return { path, kind: 'absent' };
    throw new PolicyError('TRUST_STORE', `cannot read ${path} to check its trust`, {
      cause: error,
    });
  }
}

/** The files python would import from a folder on `sys.path`, and regular packages. */
const pythonModuleFile = /\.(?:py|pyw|pyc|so|pyd)$/;

/**
 * What python can import from the folder `dir` when it is first on
 * `sys.path`: every module file (hashed: a sibling module the script imports
 * runs too) and every sub-folder, marked `package` when it holds an
 * `__init__` (a regular package shadows the standard library; a bare folder,
 * a namespace package, does not). `__pycache__` is left out: python writes
 * it itself.
 */
export async function snapshotListing(dir: string): Promise<TrustedFile> {
  let names: import('node:fs').Dirent[];
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isGone(error)) return { path: dir, kind: 'listing', entries: [] };
    throw new PolicyError('TRUST_STORE', `cannot list ${dir} to check its trust`, {
      cause: error,
    });
  }
  const entries: TrustedListingEntry[] = [];
  for (const entry of names) {
    const full = join(dir, entry.name);
    let info: import('node:fs').Stats;
    try {
      info = statSync(full);
    } catch {
      continue;
    }
    if (info.isDirectory()) {
      if (entry.name === '__pycache__') continue;
      let inside: string[] = [];
      try {
        inside = readdirSync(full);
      } catch {
        // unreadable: no __init__ seen
      }
      const isPackage = inside.some((name) => /^__init__\.(?:py|pyc|so|pyd)$/.test(name));
      entries.push({ name: entry.name, kind: isPackage ? 'package' : 'directory' });
    } else if (info.isFile() && pythonModuleFile.test(entry.name)) {
      entries.push({
        name: entry.name,
        kind: 'module',
        sha256: sha256OfUnchangedFile(full, sha256OfFileNow),
      });
    }
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { path: dir, kind: 'listing', entries };
}

/**
 * Every name in a toolchain's `path:` folder, each with the SHA-256 of its
 * {@link snapshot} (content hash or stat fingerprint, symlink target,
 * executable bit), so that a program swapped, added or removed there shows.
 */
export async function snapshotPrograms(dir: string): Promise<TrustedFile> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (isGone(error)) return { path: dir, kind: 'programs', entries: [] };
    throw new PolicyError('TRUST_STORE', `cannot list ${dir} to check its trust`, {
      cause: error,
    });
  }
  const entries = await Promise.all(
    names.sort().map(async (name) => {
      const { path: _path, ...state } = await snapshot(join(dir, name));
      return { name, state: createHash('sha256').update(JSON.stringify(state)).digest('hex') };
    }),
  );
  return { path: dir, kind: 'programs', entries };
}

/** The largest file a part is read from; a larger one is hashed whole (any edit counts). */
const maxPartFileBytes = 4 * 1024 * 1024;

/**
 * The state of one part of the file at `path` (symlinks followed): the
 * SHA-256 of {@link pinPartText}; a missing file, and a file too large or
 * not text, have states of their own, so any change to them counts.
 */
export async function snapshotPart(path: string, part: string): Promise<TrustedFile> {
  let text: string;
  try {
    const info = statSync(path);
    if (!info.isFile()) text = `\0not a file: ${info.isDirectory() ? 'directory' : 'other'}`;
    else if (info.size > maxPartFileBytes) text = `\0large\0${await sha256OfFile(path)}`;
    else {
      const bytes = readFileSync(path);
      try {
        text = pinPartText(path, new TextDecoder('utf-8', { fatal: true }).decode(bytes), part);
      } catch {
        text = `\0binary\0${createHash('sha256').update(bytes).digest('hex')}`;
      }
    }
  } catch (error) {
    if (!isGone(error))
      throw new PolicyError('TRUST_STORE', `cannot read ${path} to check its trust`, {
        cause: error,
      });
    text = '\0missing';
  }
  return { path, kind: 'part', part, sha256: createHash('sha256').update(text).digest('hex') };
}

/** The current state of a pin recorded as `trusted`, taken the same way. */
export function snapshotLike(trusted: TrustedFile): Promise<TrustedFile> {
  if (trusted.kind === 'part') return snapshotPart(trusted.path, trusted.part);
  if (trusted.kind === 'programs') return snapshotPrograms(trusted.path);
  return trusted.kind === 'listing' ? snapshotListing(trusted.path) : snapshot(trusted.path);
}

/** The key of a recorded pin, as `plannedPinKey` makes it for a planned one. */
export function trustedPinKey(entry: TrustedFile): string {
  if (entry.kind === 'listing') return `listing\0${entry.path}`;
  if (entry.kind === 'programs') return `programs\0${entry.path}`;
  if (entry.kind === 'part') return `part\0${entry.path}\0${entry.part}`;
  return entry.path;
}

/** A change of one path, relative to what was trusted. */
export interface PinChange {
  path: string;
  reason: TrustChangeReason;
  /** For a structured pin: the part that changed. */
  part?: string;
}

function compareListing(
  dir: string,
  trusted: readonly TrustedListingEntry[],
  now: readonly TrustedListingEntry[],
): PinChange[] {
  const changes: PinChange[] = [];
  const before = new Map(trusted.map((entry) => [entry.name, entry]));
  const after = new Map(now.map((entry) => [entry.name, entry]));
  for (const [name, entry] of after) {
    const old = before.get(name);
    if (old === undefined) {
      // A bare folder is a namespace package, which shadows nothing.
      if (entry.kind !== 'directory') changes.push({ path: join(dir, name), reason: 'added' });
    } else if (old.kind !== entry.kind || old.sha256 !== entry.sha256) {
      changes.push({
        path: entry.kind === 'package' ? join(dir, name, '__init__.py') : join(dir, name),
        reason: entry.kind === 'package' && old.kind === 'directory' ? 'added' : 'modified',
      });
    }
  }
  for (const [name, old] of before) {
    if (!after.has(name) && old.kind !== 'directory')
      changes.push({ path: join(dir, name), reason: 'missing' });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function comparePrograms(
  dir: string,
  trusted: readonly { name: string; state: string }[],
  now: readonly { name: string; state: string }[],
): PinChange[] {
  const before = new Map(trusted.map((entry) => [entry.name, entry.state]));
  const after = new Map(now.map((entry) => [entry.name, entry.state]));
  const changes: PinChange[] = [];
  for (const [name, state] of after) {
    const old = before.get(name);
    if (old === undefined) changes.push({ path: join(dir, name), reason: 'added' });
    else if (old !== state) changes.push({ path: join(dir, name), reason: 'modified' });
  }
  for (const name of before.keys())
    if (!after.has(name)) changes.push({ path: join(dir, name), reason: 'missing' });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** How `now` differs from `trusted` (the same path), as zero or more changes. */
export function compare(trusted: TrustedFile, now: TrustedFile): PinChange[] {
  const path = trusted.path;
  if (trusted.kind === 'part')
    return now.kind === 'part' && now.sha256 === trusted.sha256
      ? []
      : [{ path, reason: 'modified', part: trusted.part }];
  if (trusted.kind === 'listing')
    return now.kind === 'listing' ? compareListing(path, trusted.entries, now.entries) : [];
  if (trusted.kind === 'programs')
    return now.kind === 'programs' ? comparePrograms(path, trusted.entries, now.entries) : [];
  if (trusted.kind === 'absent') {
    // A folder appearing (a build output) runs nothing by itself; anything else is new content.
    return now.kind === 'absent' || now.kind === 'directory' ? [] : [{ path, reason: 'added' }];
  }
  if (now.kind === 'absent') return [{ path, reason: 'missing' }];
  if ((trusted.kind === 'symlink') !== (now.kind === 'symlink'))
    return [{ path, reason: 'symlink' }];
  if (trusted.kind !== now.kind) return [{ path, reason: 'modified' }];
  const sameMode = (
    a: { executable?: boolean | undefined },
    b: { executable?: boolean | undefined },
  ) => a.executable === undefined || a.executable === b.executable;
  if (trusted.kind === 'file' && now.kind === 'file')
    return trusted.sha256 === now.sha256 &&
      trusted.fingerprint === now.fingerprint &&
      sameMode(trusted, now)
      ? []
      : [{ path, reason: 'modified' }];
  if (trusted.kind === 'symlink' && now.kind === 'symlink') {
    return trusted.target === now.target &&
      trusted.sha256 === now.sha256 &&
      trusted.fingerprint === now.fingerprint &&
      sameMode(trusted, now)
      ? []
      : [{ path, reason: 'modified' }];
  }
  return [];
}

/**
 * The state of every pin of `plan` now, in the form the trust store records
 * it, by `plannedPinKey`: a file's content (hash, or stat fingerprint when
 * large), a listing's importable names, a part's hash. `trust` records these;
 * `ironrun trust` shows them and checks none moved while a person read.
 */
export async function pinStates(plan: PinPlan): Promise<Map<string, TrustedFile>> {
  const entries = await Promise.all(
    plan.pins.map(
      async (pin) =>
        [
          plannedPinKey(pin),
          pin.kind === 'listing'
            ? await snapshotListing(pin.path)
            : pin.kind === 'programs'
              ? await snapshotPrograms(pin.path)
              : pin.kind === 'part'
                ? await snapshotPart(pin.path, pin.part ?? '')
                : await snapshot(pin.path),
        ] as const,
    ),
  );
  return new Map(entries);
}
