import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackageFile } from './installed-package-file.js';

/**
 * The resource limits a sealed program gets, set by the init before it
 * starts the program: the caller's own limits are not inherited. A value the
 * caller's hard limit forbids is lowered to that hard limit.
 */
export interface SealedLimits {
  /** Address space (virtual memory) in bytes. @default unlimited */
  memoryBytes?: number;
  /** CPU time in seconds. @default unlimited (the TTL bounds the run) */
  cpuSeconds?: number;
  /** Processes (and threads) of the program's user inside the sandbox. @default 4096 */
  processes?: number;
  /** The largest file the program may write, in bytes. @default unlimited */
  fileSizeBytes?: number;
}

/** The order of the limits in the native init's configuration (core, cpu, fsize, nproc, as, nofile, memlock, stack). */
function limitStrings(limits: SealedLimits): string[] {
  const value = (n: number | undefined, fallback: string) =>
    n === undefined ? fallback : String(n);
  return [
    '0',
    value(limits.cpuSeconds, 'unlimited'),
    value(limits.fileSizeBytes, 'unlimited'),
    value(limits.processes, '4096'),
    value(limits.memoryBytes, 'unlimited'),
    '-',
    '-',
    '-',
  ];
}

const landlockModes = { off: 0, required: 1, 'best-effort': 2 } as const;

/** What the native init needs to start the program. */
export interface NativeInitConfig {
  file: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** The program's uid inside its own user namespace: never 0. */
  uid: number;
  loopback: boolean;
  limits: SealedLimits;
  /** Landlock: `off`, `required` (refused where the kernel cannot confine exec and writes), or `best-effort`. */
  landlock: 'off' | 'required' | 'best-effort';
  /** The files the program may execute (real paths). */
  exec: readonly string[];
  /** The paths beneath which the program may write. */
  write: readonly string[];
  /**
   * The folder PID 1 mounts an empty tmpfs on for the program's private
   * `TMPDIR` (in the run's mount namespace only), or `''` for none.
   * @default ''
   */
  tmpdir?: string;
  /**
   * Content checked against the trust record, run from a sealed memfd copy:
   * `index` 0 is the program itself (executed with `execveat`), another
   * index is the argv element (a shell's script) the shell reads from `/dev/fd/N` (sh, dash and bash as `-c '. /dev/fd/N' <path>`, which keeps `$0`).
   * @default []
   */
  verified?: readonly VerifiedCopy[];
}

/** One verified file's bytes and the argv element they stand for. */
export interface VerifiedCopy {
  index: number;
  bytes: Uint8Array;
}

/** The uid a sealed program runs as inside its namespace: the caller's, or 65534 (nobody) for root. */
export function programUid(uid = process.getuid?.() ?? 65534): number {
  return uid === 0 ? 65534 : uid;
}

/**
 * Encodes the configuration the native init reads from its channel:
 * `IRI1`, a little-endian u32 length, then NUL-terminated strings (file,
 * cwd, uid, loopback, eight limits, argc, argv…, envc, NAME=value…, then
 * Landlock: mode 0 off / 1 required / 2 best-effort, execc, exec paths…,
 * writec, write paths…, the folder of the private TMPDIR mount (or ''), then the verified copies: count, and per copy its
 * argv index and byte length as strings, then its raw bytes).
 */
export function encodeNativeInitConfig(config: NativeInitConfig): Buffer {
  const env = Object.entries(config.env).map(([name, value]) => `${name}=${value}`);
  const strings = [
    config.file,
    config.cwd,
    String(config.uid),
    config.loopback ? '1' : '0',
    ...limitStrings(config.limits),
    String(config.argv.length),
    ...config.argv,
    String(env.length),
    ...env,
    String(landlockModes[config.landlock]),
    String(config.exec.length),
    ...config.exec,
    String(config.write.length),
    ...config.write,
    config.tmpdir ?? '',
  ];
  const verified = config.verified ?? [];
  const parts = [
    Buffer.from(`${strings.join('\0')}\0${verified.length}\0`, 'utf8'),
    ...verified.flatMap((copy) => [
      Buffer.from(`${copy.index}\0${copy.bytes.length}\0`, 'utf8'),
      copy.bytes,
    ]),
  ];
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.write('IRI1', 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** The npm package holding the prebuilt native init for this platform, like esbuild's `@esbuild/linux-x64`. */
export function nativeInitPackage(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) return undefined;
  return `@ironrun/sandbox-linux-${arch}`;
}

let located: string | null | undefined;

/**
 * The absolute path of the native init for this platform, from its
 * optional package, or `null` when it is not installed (the Node init is
 * then used). Looked up once per process; never from the environment, which
 * the agent controls.
 */
export function nativeInitPath(): string | null {
  if (located !== undefined) return located;
  located = null;
  const name = nativeInitPackage();
  if (name === undefined) return located;
  try {
    // Found as `require.resolve` from this module would find it, but only in a node_modules
    // folder above it, never on NODE_PATH (see installed-package-file.ts).
    const path = installedPackageFile(
      dirname(fileURLToPath(import.meta.url)),
      name,
      './ironrun-init',
    );
    accessSync(path, constants.X_OK);
    located = path;
  } catch {
    // not installed for this platform
  }
  return located;
}
