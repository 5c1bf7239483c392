// `fs.promises` looked up at each call: `ironrun run`'s bundle holds this file, and a run
// that does not call it never loads node:fs/promises.
import { constants, promises as fs } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';

/** The longest `#!` line the kernel reads (BINPRM_BUF_SIZE). */
const shebangBytes = 256;
/** How deep interpreters may nest (`#!` naming a script naming a binary); the kernel allows 4. */
const maxDepth = 4;

async function readAt(file: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * The programs a `#!` line runs: its interpreter when it is an absolute
 * path, and for `#!/usr/bin/env [-S] name`, `name` as `env` finds it in the
 * child's `PATH` (the sealed `path`).
 */
async function shebangPrograms(head: Buffer, dirs: readonly string[]): Promise<string[]> {
  if (head.length < 3 || head[0] !== 0x23 || head[1] !== 0x21) return [];
  const end = head.indexOf(0x0a);
  const line = head.subarray(2, end === -1 ? head.length : end).toString('latin1');
  const words = line.trim().split(/[ \t]+/);
  const interpreter = words[0];
  if (interpreter === undefined || !isAbsolute(interpreter)) return [];
  if (basename(interpreter) !== 'env') return [interpreter];
  const name = words[1] === '-S' ? words[2] : words[1];
  if (name === undefined || name.includes('/') || name.startsWith('-') || name.includes('='))
    return [interpreter];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await fs.access(candidate, constants.X_OK);
      return [interpreter, candidate];
    } catch {
      // not in this directory
    }
  }
  return [interpreter];
}

/** The dynamic loader (PT_INTERP) an ELF file names, or undefined for a static one or a non-ELF file. */
async function elfInterpreter(file: fs.FileHandle, head: Buffer): Promise<string | undefined> {
  if (head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = head[4] === 2;
  const little = head[5] === 1;
  const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const u64 = (b: Buffer, at: number) =>
    Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  if (is64 && head.length < 64) return undefined;
  const phoff = is64 ? u64(head, 32) : u32(head, 28);
  const phentsize = u16(head, is64 ? 54 : 42);
  const phnum = u16(head, is64 ? 56 : 44);
  if (phentsize < (is64 ? 56 : 32) || phnum > 512) return undefined;
  const table = await readAt(file, phoff, phentsize * phnum);
  for (let i = 0; i + 1 <= phnum && (i + 1) * phentsize <= table.length; i++) {
    const entry = table.subarray(i * phentsize, (i + 1) * phentsize);
    if (u32(entry, 0) !== 3) continue; // PT_INTERP
    const offset = is64 ? u64(entry, 8) : u32(entry, 4);
    const size = is64 ? u64(entry, 32) : u32(entry, 16);
    if (size === 0 || size > 4096) return undefined;
    const name = (await readAt(file, offset, size)).toString('latin1').replace(/\0.*$/s, '');
    return isAbsolute(name) ? name : undefined;
  }
  return undefined;
}

/**
 * Every file the kernel opens for execution when one of `programs` is
 * executed: the program itself, the interpreter of its `#!` line (and that
 * interpreter's own), and the dynamic loader (PT_INTERP) of each ELF file
 * among them, all as real paths. Shared libraries are not listed: the loader
 * maps them with a read, which Landlock's execute right does not cover.
 * A `#!/usr/bin/env x` line adds `env` and the `x` found first in `dirs`
 * (the child's `PATH`); what `x` runs in turn must be allowlisted.
 */
export async function executablesOf(
  programs: Iterable<string>,
  dirs: readonly string[],
): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (path: string, depth: number): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(path);
    } catch {
      return; // nothing there: nothing to allow
    }
    if (found.has(real)) return;
    found.add(real);
    if (depth >= maxDepth) return;
    let file: fs.FileHandle | undefined;
    try {
      file = await fs.open(real, 'r');
      const head = await readAt(file, 0, Math.max(shebangBytes, 64));
      const script = await shebangPrograms(head, dirs);
      const loader = script.length === 0 ? await elfInterpreter(file, head) : undefined;
      for (const next of loader === undefined ? script : [loader]) await visit(next, depth + 1);
    } catch {
      // unreadable: the kernel then reads its own copy, and an unlisted interpreter is refused
    } finally {
      await file?.close();
    }
  };
  for (const program of programs) await visit(program, 0);
  return [...found];
}

/** Character devices every program may open for writing (`> /dev/null`). */
export const writableDevices: readonly string[] = ['/dev/null', '/dev/zero', '/dev/full'];
