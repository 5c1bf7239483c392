import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Policy, PolicyValidation, ReferenceOptions } from './policy.js';
import { invalidPolicyError, PolicyError } from './policy-error.js';
import { referenceSchemes } from './secret-reference.js';
import { maxPolicyLength, validatePolicySource } from './validate-policy.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** Options of {@link loadPolicy}: the reference declarations, see `ParsePolicyOptions`. */
export interface LoadPolicyOptions extends ReferenceOptions {}

/**
 * A policy file read once ({@link readPolicyFile}): its name as given, its
 * real path, its exact bytes, their SHA-256 and their text. The trust check,
 * the provider lookup and the validation all take this one value, so what is
 * checked is what is parsed, and the file is read and parsed once per run.
 */
export interface PolicyFile {
  /** The path as the caller gave it, shown in messages. */
  readonly path: string;
  /** The absolute real path (symlinks resolved). */
  readonly realPath: string;
  /** The file's bytes, as read. */
  readonly bytes: Uint8Array;
  /** The SHA-256 (hex) of `bytes`. */
  readonly sha256: string;
  /** `bytes` decoded as UTF-8. */
  readonly text: string;
  /** The file's identity and times when it was read, for {@link policyFileChanged}. */
  readonly fingerprint: string;
}

function fingerprintOf(info: import('node:fs').BigIntStats): string {
  return [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(':');
}

/**
 * What was learned from policy bytes already seen in this process, for a
 * long-lived caller (the MCP server, the `ironrun agent` broker) that reads
 * the same file on every call: the `provider:` name by the bytes' SHA-256,
 * and each validation by everything it depends on (the bytes' SHA-256, the
 * path as given and the real path, and the reference declarations). The
 * file is still read and hashed on every call, so an edit, even one that
 * keeps the size and times, is a new key; a hit returns a copy, so no
 * caller sees another's changes.
 */
const providerNames = new Map<string, { name: string | undefined }>();
const validations = new Map<string, PolicyValidation>();
/** Past this many entries a cache is emptied and starts over. */
const maxCachedPolicies = 64;

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= maxCachedPolicies) cache.clear();
  cache.set(key, value);
}

/** The one YAML parse of each file read, made when first needed. */
const parsedYaml = new WeakMap<PolicyFile, YamlSource>();

function yamlOf(file: PolicyFile): YamlSource | undefined {
  const body = file.text.startsWith('\uFEFF') ? file.text.slice(1) : file.text;
  if (body.length > maxPolicyLength) return undefined;
  let parsed = parsedYaml.get(file);
  if (parsed === undefined) {
    parsed = parseYamlSource(body);
    parsedYaml.set(file, parsed);
  }
  return parsed;
}

/**
 * Resolves `path` to its real path and reads it once, refusing anything but
 * a regular file of valid UTF-8 within the size limit. Throws
 * {@link PolicyError} `READ_FAILED`.
 *
 * @example
 * const file = await readPolicyFile('ironrun.yml');
 * const check = await checkTrust(file);
 * const { policy, issues } = validatePolicyFile(file, { providers: declarations });
 */
export async function readPolicyFile(path: string): Promise<PolicyFile> {
  // Synchronous: a few system calls on a file of at most 1 MiB, where each round trip through
  // libuv's thread pool costs more than the call (bench/run-overhead.bench.mjs of @ironrun/cli).
  try {
    const realPath = realpathSync.native(path);
    const fd = openSync(realPath, 'r');
    try {
      const info = fstatSync(fd, { bigint: true });
      if (!info.isFile()) throw new Error('not a regular file');
      if (info.size > BigInt(maxPolicyLength * 4)) throw new Error('larger than 1 MiB');
      const bytes = readFileSync(fd);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return { path, realPath, bytes, sha256, text, fingerprint: fingerprintOf(info) };
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : error instanceof TypeError
            ? 'not valid UTF-8'
            : error instanceof Error && code === undefined
              ? error.message
              : (code ?? 'unknown error');
    throw new PolicyError('READ_FAILED', `cannot read policy ${path}: ${why}`, {
      cause: error,
      filename: path,
    });
  }
}

/**
 * Whether the file at `file.realPath` is no longer the one that was read
 * (replaced, rewritten or gone), by a `stat`, without reading it again. A
 * caller that read, checked and parsed the file once uses it to refuse a
 * policy edited while it was in use.
 */
export async function policyFileChanged(file: PolicyFile): Promise<boolean> {
  try {
    return fingerprintOf(statSync(file.realPath, { bigint: true })) !== file.fingerprint;
  } catch {
    return true;
  }
}

/**
 * The `provider:` name of a policy file (`provider: x` or `provider: { name: x }`),
 * read from its one YAML parse even when the policy is otherwise invalid, so
 * the caller can learn that provider's declarations before validating;
 * `undefined` when there is none or the YAML does not parse (validation then
 * says what is wrong, with line and column).
 *
 * @example
 * const name = policyFileProvider(await readPolicyFile('ironrun.yml')); // 'envfile'
 */
export function policyFileProvider(file: PolicyFile): string | undefined {
  const cached = providerNames.get(file.sha256);
  if (cached !== undefined) return cached.name;
  const name = providerNameOf(file);
  remember(providerNames, file.sha256, { name });
  return name;
}

function providerNameOf(file: PolicyFile): string | undefined {
  const yaml = yamlOf(file);
  if (yaml === undefined || yaml.issues.length > 0) return undefined;
  const provider = yaml.doc.get('provider', true);
  const value: unknown =
    typeof provider === 'object' && provider !== null && 'value' in provider
      ? provider.value
      : undefined;
  if (typeof value === 'string') return value;
  const name = yaml.doc.getIn(['provider', 'name'], true);
  const named: unknown =
    typeof name === 'object' && name !== null && 'value' in name ? name.value : undefined;
  return typeof named === 'string' ? named : undefined;
}

/**
 * Validates a policy file read by {@link readPolicyFile}, reusing its one
 * YAML parse, and returns every problem as data: `{ policy }` (whose
 * `sha256` is the hash of the file's bytes, the hash `checkTrust` reports)
 * or `{ issues }`.
 *
 * @example
 * const { policy, issues } = validatePolicyFile(file, { providers: declarations });
 */
export function validatePolicyFile(
  file: PolicyFile,
  options: ReferenceOptions = {},
): PolicyValidation {
  const key = JSON.stringify([
    file.sha256,
    file.path,
    file.realPath,
    options.providers ?? {},
    options.schemes ?? [],
  ]);
  const cached = validations.get(key);
  if (cached !== undefined) return structuredClone(cached);
  const validation = validateFileOnce(file, options);
  remember(validations, key, structuredClone(validation));
  return validation;
}

function validateFileOnce(file: PolicyFile, options: ReferenceOptions): PolicyValidation {
  const validation = validatePolicySource(
    file.text,
    {
      displayName: file.path,
      path: file.realPath,
      dir: dirname(file.realPath),
      references: referenceSchemes(options.providers ?? {}, options.schemes ?? []),
    },
    yamlOf(file),
  );
  // The file's own bytes (a BOM included), the same bytes checkTrust hashes.
  if (validation.policy !== undefined) validation.policy.sha256 = file.sha256;
  return validation;
}

/** Validates a policy file read by {@link readPolicyFile}, throwing `INVALID_POLICY`. */
export function policyFromFile(file: PolicyFile, options: ReferenceOptions = {}): Policy {
  const { policy, issues } = validatePolicyFile(file, options);
  if (policy === undefined) throw invalidPolicyError(file.path, issues);
  return policy;
}

/**
 * Reads and validates the policy at `path`. The policy's `path` is the file's
 * real path (symlinks resolved) and `dir` its folder. Throws one
 * {@link PolicyError}: `READ_FAILED` when the file cannot be read,
 * `INVALID_POLICY` listing every problem as `file:line:col: message`.
 *
 * @example
 * const policy = await loadPolicy('ironrun.yml');
 * console.log(policy.commands.map((command) => command.id));
 */
export async function loadPolicy(path: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  return policyFromFile(await readPolicyFile(path), options);
}
