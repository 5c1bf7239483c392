import { userInfo } from 'node:os';
import { SandboxError } from './sandbox-error.js';

/**
 * Names an `env` may not set, because they make the dynamic loader, Node or
 * a shell run code other than the program named, or because the sandbox owns
 * them (`PATH` comes from the `path` option). Defence in depth: the policy
 * refuses them too.
 */
const forbiddenNames = new Set([
  'PATH',
  'NODE_OPTIONS',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'GCONV_PATH',
]);
const forbiddenPrefixes = ['LD_', 'DYLD_', 'BASH_FUNC_'];

/** Why `name` may not be passed to the child, or `undefined` when it may. */
export function forbiddenEnvReason(name: string): string | undefined {
  if (name === 'PATH') return 'PATH is set from the path option';
  if (forbiddenNames.has(name) || forbiddenPrefixes.some((prefix) => name.startsWith(prefix))) {
    return 'it would let the loader, Node or a shell run code other than the program named';
  }
  return undefined;
}

/** The home directory found for a uid, kept: the lookup reads the password database. */
let home: { uid: number; dir: string } | undefined;

/**
 * The real home directory of the user, from the password database, never
 * `$HOME`: looked up once per uid (reading `/etc/passwd` for every run cost
 * about 50 µs of it), and again after a failed lookup.
 */
function realHome(): string {
  const uid = process.getuid?.() ?? -1;
  if (home?.uid === uid) return home.dir;
  try {
    home = { uid, dir: userInfo().homedir };
    return home.dir;
  } catch {
    return '/';
  }
}

/**
 * The child's whole environment: the baseline (`PATH` = the safe path, `HOME`
 * = the user's home from the password database, `LANG`, `TERM=dumb`,
 * `TMPDIR=/tmp`) overridden by the variables passed in. Nothing is read
 * from `process.env`.
 */
export function buildSealedEnv(
  env: Readonly<Record<string, string>>,
  path: string,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new SandboxError(
      'INVALID_OPTIONS',
      'env must be an object of variable names to string values',
    );
  }
  const sealed: Record<string, string> = {
    PATH: path,
    HOME: realHome(),
    LANG: platform === 'darwin' ? 'en_US.UTF-8' : 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: '/tmp',
  };
  for (const name of Object.keys(env)) {
    const value = env[name];
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw new SandboxError(
        'INVALID_OPTIONS',
        'an env name is empty or contains "=" or a NUL byte; names must be plain identifiers',
      );
    }
    if (typeof value !== 'string') {
      throw new SandboxError('INVALID_OPTIONS', `env ${name} must be a string`);
    }
    if (value.includes('\0')) {
      throw new SandboxError(
        'INVALID_OPTIONS',
        `env ${name} contains a NUL byte, which no process environment can hold`,
      );
    }
    const reason = forbiddenEnvReason(name);
    if (reason !== undefined) {
      throw new SandboxError(
        'INVALID_OPTIONS',
        `env ${name} is not allowed: ${reason}; remove it from env`,
      );
    }
    sealed[name] = value;
  }
  return sealed;
}
