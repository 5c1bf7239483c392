import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { VerifiedCopy } from './native-init.js';
import { SandboxError } from './sandbox-error.js';

/** A file whose content a person trusted: its path and the SHA-256 of that content. */
export interface VerifiedFile {
  /** The absolute path, as the trust record names it. */
  path: string;
  /** The SHA-256 (hex) of the trusted content. */
  sha256: string;
}

/**
 * The largest file that is copied to run from its verified content: trust
 * hashes files up to 4 MiB (larger ones it records by stat fingerprint).
 */
export const maxVerifiedBytes = 4 * 1024 * 1024;

/** Shells that read their script from `/dev/fd/N` as from a file. */
const shells = new Set([
  'sh',
  'dash',
  'bash',
  'ash',
  'ksh',
  'ksh93',
  'mksh',
  'zsh',
  'yash',
  'posh',
]);

/** Shell options that take the next word as their value. */
const shellOptionsWithValue = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

/**
 * The index of the script operand in a shell's argv (`sh -e ./x.sh a`:
 * 2), or undefined when the shell reads no script file (`-c`, `-s`, `-i`,
 * or no operand).
 */
export function shellScriptIndex(argv: readonly string[]): number | undefined {
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--' || arg === '-') return arg === '--' ? operand(argv, index + 1) : undefined;
    if (shellOptionsWithValue.has(arg)) {
      index++;
      continue;
    }
    if (arg.startsWith('--')) continue;
    if (arg.startsWith('-') || arg.startsWith('+')) {
      if (/[csi]/.test(arg.slice(1))) return undefined;
      continue;
    }
    return index;
  }
  return undefined;
}

function operand(argv: readonly string[], index: number): number | undefined {
  return index < argv.length ? index : undefined;
}

/** Whether the `#!` line of `bytes` names a shell (directly or through `env`). */
function shebangShell(bytes: Uint8Array): boolean {
  if (bytes.length < 3 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return false;
  const head = Buffer.from(bytes.subarray(0, 256));
  const end = head.indexOf(0x0a);
  const words = head
    .subarray(2, end === -1 ? head.length : end)
    .toString('latin1')
    .trim()
    .split(/[ \t]+/);
  const interpreter = words[0] ?? '';
  if (!isAbsolute(interpreter)) return false;
  if (basename(interpreter) !== 'env') return shells.has(basename(interpreter));
  const name = words[1] === '-S' ? words[2] : words[1];
  return name !== undefined && shells.has(name);
}

function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && Buffer.from(bytes.subarray(0, 4)).equals(Buffer.from('\x7fELF', 'latin1'))
  );
}

function contentChanged(shown: string): SandboxError {
  return new SandboxError(
    'CONTENT_CHANGED',
    `${JSON.stringify(shown)} is not the content that was trusted (it changed after the trust check), so nothing was run. Review the change; a person runs \`ironrun trust\` again if it is wanted`,
  );
}

/**
 * Reads `path` once (at most {@link maxVerifiedBytes}, symlinks followed, as
 * trust hashed it) and returns its bytes when their SHA-256 is `sha256`;
 * throws `CONTENT_CHANGED` otherwise, or when it cannot be read.
 */
function readVerified(path: string, sha256: string, shown: string): Buffer {
  // Synchronous, like the other checks before the spawn: at most 4 MiB in a few reads, where
  // each round trip through libuv's thread pool costs more than the read.
  let bytes: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      // Sized by the file (one byte more, to see it grow), never past the cap.
      const { size } = fstatSync(fd);
      if (size > maxVerifiedBytes) throw contentChanged(shown);
      const buffer = Buffer.allocUnsafe(size + 1);
      let length = 0;
      for (;;) {
        const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        // It grew since the stat: not the content that was checked at trust.
        if (length > size) throw contentChanged(shown);
      }
      bytes = Buffer.from(buffer.subarray(0, length));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    throw contentChanged(shown);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw contentChanged(shown);
  return bytes;
}

/**
 * Checks the content of the program and of a shell's script argument
 * against `verified`, and returns the copies the native init runs instead of
 * the paths: the program when it is an ELF file or a `#!` script of a
 * shell (index 0), and the script operand of a shell (its argv index). A
 * verified file that cannot run from a descriptor (a node or python script,
 * which cannot be started as `/dev/fd/N` without losing their own folder)
 * is checked but not copied. Throws `CONTENT_CHANGED`, naming the path only,
 * when one differs from what was trusted.
 */
export async function verifiedCopies(
  argv: readonly string[],
  cwd: string,
  program: string,
  verified: readonly VerifiedFile[],
): Promise<VerifiedCopy[]> {
  if (verified.length === 0) return [];
  const hashes = new Map(verified.map((file) => [resolve(file.path), file.sha256] as const));
  const name = argv[0]!;
  const copies: VerifiedCopy[] = [];
  // The program as the policy names it (a path) or as it was found.
  const named = name.includes('/') ? resolve(cwd, name) : undefined;
  const key = [named, program].find((path) => path !== undefined && hashes.has(path));
  if (key !== undefined) {
    const bytes = readVerified(key, hashes.get(key)!, name);
    if (isElf(bytes) || shebangShell(bytes)) copies.push({ index: 0, bytes });
  }
  if (shells.has(basename(program)) || shells.has(basename(name))) {
    const index = shellScriptIndex(argv);
    const script = index === undefined ? undefined : resolve(cwd, argv[index]!);
    const sha256 = script === undefined ? undefined : hashes.get(script);
    if (index !== undefined && sha256 !== undefined) {
      const bytes = readVerified(script!, sha256, argv[index]!);
      copies.push({ index, bytes });
    }
  }
  // Any other argument naming a verified file (`node ./x.js`) is checked too,
  // though it then runs by path: that narrows the window to the spawn.
  for (let index = 1; index < argv.length; index++) {
    if (copies.some((copy) => copy.index === index)) continue;
    const path = resolve(cwd, argv[index]!);
    const sha256 = hashes.get(path);
    if (sha256 !== undefined) readVerified(path, sha256, argv[index]!);
  }
  return copies;
}
