import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { SandboxError } from './sandbox-error.js';

/**
 * The fixed `PATH` bare program names are looked up in when no `path` is
 * given: never the caller's `PATH`.
 */
export function defaultSafePath(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin'
    ? '/usr/local/bin:/usr/bin:/bin:/opt/homebrew/bin'
    : '/usr/local/bin:/usr/bin:/bin';
}

/** Splits a safe `PATH`; every entry must be absolute (an empty entry would mean the cwd). */
export function parseSafePath(path: string): string[] {
  if (path.includes('\0')) throw new SandboxError('INVALID_OPTIONS', 'path contains a NUL byte');
  const entries = path.split(':');
  for (const entry of entries) {
    if (!isAbsolute(entry)) {
      throw new SandboxError(
        'INVALID_OPTIONS',
        `path entry "${entry}" is not absolute: every entry of path must be an absolute directory (an empty or relative entry would search the working directory)`,
      );
    }
  }
  return entries;
}

// Synchronous on purpose: a few stat calls of microseconds each, where a
// round trip through libuv's thread pool costs far more on every run.
function isExecutableFile(file: string): boolean {
  try {
    const info = statSync(file);
    if (!info.isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a program name points before symlinks are followed: `./x` and `x/y`
 * relative to `cwd`, absolute paths as they are, bare names in the safe path
 * (the first directory holding an executable file of that name). `undefined`
 * when a bare name is found nowhere.
 */
function locate(name: string, cwd: string, dirs: readonly string[]): string | undefined {
  if (name.includes('/')) return resolve(cwd, name);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Resolves `argv[0]` once to the absolute real path of an executable regular
 * file. Throws `NOT_FOUND` or `NOT_EXECUTABLE` with a message that names the
 * program and says how to fix it.
 */
export async function resolveProgram(name: string, cwd: string, path: string): Promise<string> {
  if (name === '')
    throw new SandboxError('INVALID_OPTIONS', 'argv[0] is empty: name the program to run');
  const dirs = parseSafePath(path);
  const located = locate(name, cwd, dirs);
  if (located === undefined) {
    throw new SandboxError(
      'NOT_FOUND',
      `program "${name}" was not found in the safe path ${path}; ` +
        "use an absolute path or ./relative path, or add its directory to the command's path (the caller's PATH is never searched)",
    );
  }
  let real: string;
  try {
    real = realpathSync.native(located);
  } catch (error) {
    throw new SandboxError(
      'NOT_FOUND',
      `program "${name}" does not exist (looked for ${located}); check argv[0] and cwd`,
      { cause: error },
    );
  }
  if (!isExecutableFile(real)) {
    const what = exists(real) ? 'is not an executable regular file' : 'does not exist';
    throw new SandboxError(
      'NOT_EXECUTABLE',
      `program "${name}" (${real}) ${what}; make it executable (chmod +x) or name an interpreter as argv[0]`,
    );
  }
  return real;
}

/**
 * Resolves the `allow` entries (absolute paths, or bare names looked up in
 * the safe path) to real paths. An entry that names nothing here is skipped:
 * an allowlist only ever narrows what may run.
 */
export async function resolveAllowlist(
  entries: readonly string[],
  path: string,
): Promise<Set<string>> {
  const dirs = parseSafePath(path);
  const allowed = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry === '' || entry.includes('\0')) {
      throw new SandboxError(
        'INVALID_OPTIONS',
        'every allow entry must be a non-empty string without NUL bytes',
      );
    }
    if (entry.includes('/') && !isAbsolute(entry)) {
      throw new SandboxError(
        'INVALID_OPTIONS',
        `allow entry "${entry}" must be an absolute path or a bare program name`,
      );
    }
    const located = locate(entry, '/', dirs);
    if (located === undefined) continue;
    try {
      allowed.add(realpathSync.native(located));
    } catch {
      // Missing on this machine: nothing to allow.
    }
  }
  return allowed;
}
