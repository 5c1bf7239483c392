import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { defaultConfigDir, sessionLocationPaths } from '@ironrun/core/paths';
import { findPolicyFile } from '../find-policy.js';
import type { GuardRules, HookInput, ProtectedPath } from './guard-decision.js';

/**
 * What the guard takes from one policy text: the secret files its provider
 * reads, the commands that receive secrets, and the vendor facts (credential
 * variables and prefixes, vault programs, the vault CLIs' session locations
 * as declared, resolved per call) every built-in provider and the policy's own
 * provider declare.
 */
interface PolicyFacts {
  envfiles: string[];
  sealedCommands: { id: string; argv: string[] }[];
  credentialVariables: string[];
  credentialPrefixes: string[];
  vaultPrograms: string[];
  sessionLocations: import('@ironrun/core').SessionLocation[];
}

type VendorFacts = Pick<
  PolicyFacts,
  'credentialVariables' | 'credentialPrefixes' | 'vaultPrograms' | 'sessionLocations'
>;

const vendorKeys = [
  'credentialVariables',
  'credentialPrefixes',
  'vaultPrograms',
  'sessionLocations',
] as const;

/** The part of `@ironrun/core` the guard loads on a cache miss: the provider registry's facts. */
type ProviderFacts = Pick<
  typeof import('@ironrun/core'),
  | 'builtinProviderDeclarations'
  | 'declaredCredentialVariables'
  | 'providerDeclaration'
  | 'secretFileLocations'
>;

/**
 * The vendor facts of these declarations, merged. Takes the `@ironrun/core` its caller
 * already loaded on the cache miss, so the credential names are core's own rule and the
 * hook still imports no package on a cache hit.
 */
function vendorFacts(
  core: ProviderFacts,
  declarations: readonly import('@ironrun/core').ProviderDeclaration[],
): VendorFacts {
  return {
    credentialVariables: core.declaredCredentialVariables(declarations),
    credentialPrefixes: [
      ...new Set(declarations.flatMap((declared) => declared.credentialPrefixes)),
    ],
    vaultPrograms: [...new Set(declarations.flatMap((declared) => declared.programs))],
    sessionLocations: declarations.flatMap((declared) => declared.sessionLocations),
  };
}

/** Whether a cache entry holds every vendor fact (an entry of an older guard does not). */
function hasVendorFacts(facts: Partial<PolicyFacts> | undefined): boolean {
  return (
    vendorKeys.every((key) => Array.isArray(facts?.[key])) &&
    (facts?.sessionLocations ?? []).every(
      (location) =>
        typeof location?.path === 'string' &&
        typeof location.reason === 'string' &&
        (location.env === undefined || typeof location.env === 'string'),
    )
  );
}

/** A secret reference as any provider writes one (`op://…`, `envfile://…`, `doppler://…`). */
const referencePattern = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * The facts of one policy text, read with `yaml` only: the guard runs before
 * every tool call and does not load the validating policy reader. It reads
 * more than it must (any `scheme://` value counts as a secret), never less.
 * Throws when the text is not a YAML mapping with a `commands` list.
 */
async function readPolicyFacts(
  parse: (text: string) => unknown,
  core: ProviderFacts,
  text: string,
  policyDir: string,
  configDir: string,
): Promise<PolicyFacts> {
  const document: unknown = parse(text);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('the policy is not a mapping');
  }
  const { provider, commands } = document as { provider?: unknown; commands?: unknown };
  if (!Array.isArray(commands)) throw new Error('the policy has no commands list');
  const envfiles: string[] = [];
  const providerEntry =
    typeof provider === 'string'
      ? { name: provider, options: {} }
      : typeof provider === 'object' && provider !== null
        ? {
            name: String((provider as { name?: unknown }).name ?? ''),
            options: provider as Record<string, unknown>,
          }
        : undefined;
  const declarations = Object.values(core.builtinProviderDeclarations());
  if (providerEntry !== undefined) {
    try {
      // A third-party package's declaration is read from its package.json, never imported.
      const declaration = await core.providerDeclaration(providerEntry.name, {
        projectDir: policyDir,
      });
      declarations.push(declaration);
      envfiles.push(
        ...core.secretFileLocations(declaration, providerEntry.options, {
          projectDir: policyDir,
          configDir,
        }),
      );
    } catch {
      // an unknown provider adds nothing; the built-ins still count
    }
  }
  const sealedCommands: PolicyFacts['sealedCommands'] = [];
  for (const command of commands) {
    if (typeof command !== 'object' || command === null) continue;
    const { id, argv, env } = command as { id?: unknown; argv?: unknown; env?: unknown };
    if (!Array.isArray(argv) || argv.length === 0) continue;
    const values = typeof env === 'object' && env !== null ? Object.values(env) : [];
    if (!values.some((value) => typeof value === 'string' && referencePattern.test(value))) {
      continue;
    }
    sealedCommands.push({ id: String(id ?? argv[0]), argv: argv.map(String) });
  }
  return { envfiles, sealedCommands, ...vendorFacts(core, declarations) };
}

/** The trust store file of a policy, as `@ironrun/policy` names it (`trust/<sha256 of the real path>.json`). */
async function trustRecordFile(configDir: string, policyReal: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256').update(policyReal).digest('hex');
  return join(configDir, 'trust', `${key}.json`);
}

/** The policy text the person trusted, from its trust record (read as plain JSON). */
function trustedPolicyText(trustFile: string | undefined): string | undefined {
  if (trustFile === undefined) return undefined;
  try {
    const record: unknown = JSON.parse(readFileSync(trustFile, 'utf8'));
    const text = (record as { policyText?: unknown }).policyText;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** FNV-1a of `text` in hex: the cache file's name (the entry itself says which policy it is for). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

interface CachedFacts {
  policyPath: string;
  policyReal: string | null;
  trustFile: string | null;
  policyText: string | null;
  trustedText: string | null;
  policyDir: string;
  configDir: string;
  facts: PolicyFacts;
  read: number;
}

function readCache(file: string): Partial<CachedFacts> {
  try {
    const cached: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof cached === 'object' && cached !== null ? (cached as Partial<CachedFacts>) : {};
  } catch {
    return {};
  }
}

/**
 * The facts of the policy as it is and as it was trusted. They come from the
 * guard's cache in the config folder when it holds exactly these two texts;
 * otherwise they are read with `yaml` and cached. Loading `yaml` (and
 * `node:crypto`, for the trust record's name) costs about as much as the
 * rest of the guard, so they load only on a miss. The cache sits next to the
 * trust store: whoever can write one can forge the other.
 */
async function policyFacts(context: {
  policyPath: string;
  policyDir: string;
  configDir: string;
}): Promise<{ facts: PolicyFacts; read: number }> {
  const { policyPath, policyDir, configDir } = context;
  const cacheFile = join(configDir, 'guard-cache', `${fnv1a(policyPath)}.json`);
  const cached = readCache(cacheFile);
  let policyText: string | null = null;
  let policyReal: string | null = null;
  try {
    policyText = readFileSync(policyPath, 'utf8');
    policyReal = realpathSync.native(policyPath);
  } catch {
    // read below from the trusted copy
  }
  const sameFile =
    cached.policyPath === policyPath &&
    cached.policyReal === policyReal &&
    cached.policyDir === policyDir &&
    cached.configDir === configDir;
  const trustFile =
    sameFile && cached.trustFile !== undefined
      ? cached.trustFile
      : policyReal === null
        ? null
        : await trustRecordFile(configDir, policyReal);
  const trustedText = trustedPolicyText(trustFile ?? undefined) ?? null;
  if (
    sameFile &&
    cached.policyText === policyText &&
    cached.trustedText === trustedText &&
    Array.isArray(cached.facts?.sealedCommands) &&
    Array.isArray(cached.facts?.envfiles) &&
    hasVendorFacts(cached.facts) &&
    typeof cached.read === 'number'
  ) {
    return { facts: cached.facts as PolicyFacts, read: cached.read };
  }
  const [{ parse }, core] = await Promise.all([import('yaml'), import('@ironrun/core')]);
  const facts: PolicyFacts = {
    envfiles: [],
    sealedCommands: [],
    ...vendorFacts(core, Object.values(core.builtinProviderDeclarations())),
  };
  let read = 0;
  for (const text of [policyText, trustedText]) {
    if (text === null) continue;
    try {
      const one = await readPolicyFacts(parse, core, text, policyDir, configDir);
      facts.envfiles.push(...one.envfiles);
      facts.sealedCommands.push(...one.sealedCommands);
      facts.credentialVariables = [
        ...new Set([...facts.credentialVariables, ...one.credentialVariables]),
      ];
      facts.credentialPrefixes = [
        ...new Set([...facts.credentialPrefixes, ...one.credentialPrefixes]),
      ];
      facts.vaultPrograms = [...new Set([...facts.vaultPrograms, ...one.vaultPrograms])];
      facts.sessionLocations.push(...one.sessionLocations);
      read++;
    } catch {
      // the other text may still read
    }
  }
  const entry: CachedFacts = {
    policyPath,
    policyReal,
    trustFile: trustFile ?? null,
    policyText,
    trustedText,
    policyDir,
    configDir,
    facts,
    read,
  };
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temporary, cacheFile);
  } catch {
    // a cache that cannot be written only costs time
  }
  return { facts, read };
}

/** The CLI's version, replaced by the guard's build (tsup.config.ts); not defined when run from source. */
declare const __IRONRUN_CLI_VERSION__: string | undefined;

/** The built-in providers' facts alone (no policy found), cached per CLI version in the config folder. */
async function builtinFacts(configDir: string): Promise<PolicyFacts> {
  // The CLI's version keys the cache. The guard's build writes it in (no file to read, no
  // `import.meta`, which its CommonJS entry lacks); from source it is unknown, and the
  // cache is still checked for its shape.
  const cliVersion =
    typeof __IRONRUN_CLI_VERSION__ === 'string' ? __IRONRUN_CLI_VERSION__ : 'unknown';
  const cacheFile = join(configDir, 'guard-cache', 'builtins.json');
  const cached = readCache(cacheFile) as { version?: unknown; facts?: Partial<PolicyFacts> };
  if (cached.version === cliVersion && hasVendorFacts(cached.facts)) {
    return { ...(cached.facts as PolicyFacts), envfiles: [], sealedCommands: [] };
  }
  const core = await import('@ironrun/core');
  const facts: PolicyFacts = {
    envfiles: [],
    sealedCommands: [],
    ...vendorFacts(core, Object.values(core.builtinProviderDeclarations())),
  };
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: cliVersion, facts }), { mode: 0o600 });
    renameSync(temporary, cacheFile);
  } catch {
    // a cache that cannot be written only costs time
  }
  return facts;
}

/**
 * Builds the {@link GuardRules} for one hook call: the policy as it is now
 * and as it was last trusted (so an agent that edits `ironrun.yml` cannot
 * shrink what the guard protects), the config folder and the environment.
 * `unreadablePolicy` says why when a policy file exists but neither it nor
 * its trusted text reads: the guard then cannot tell which commands receive
 * secrets, and denies every shell command.
 */
export async function guardRules(
  input: HookInput,
  options: { policy?: string | undefined; env: Readonly<Record<string, string | undefined>> },
): Promise<{ rules: GuardRules; unreadablePolicy?: string }> {
  const cwd = typeof input.cwd === 'string' && isAbsolute(input.cwd) ? input.cwd : process.cwd();
  const policyPath =
    options.policy !== undefined && options.policy !== ''
      ? resolve(cwd, options.policy)
      : findPolicyFile(cwd);
  const configDir = defaultConfigDir(options.env);
  let facts: PolicyFacts | undefined;
  let policyDir: string | undefined;
  let unreadablePolicy: string | undefined;
  if (policyPath !== undefined) {
    policyDir = dirname(policyPath);
    const { facts: found, read } = await policyFacts({ policyPath, policyDir, configDir });
    facts = found;
    if (read === 0) {
      unreadablePolicy = `${policyPath} does not parse and has no trusted copy, so the guard cannot tell which commands receive secrets.`;
    }
  }
  // No policy: the built-in providers' facts, from core (cached like a policy's).
  facts ??= await builtinFacts(configDir);
  const protectedPaths: ProtectedPath[] = [
    { path: configDir, what: 'the ironrun config folder (policy trust)', directory: true },
  ];
  const home =
    options.env.HOME !== undefined && isAbsolute(options.env.HOME) ? options.env.HOME : homedir();
  // Each declared location once, resolved against this call's environment and home.
  const declared = new Map(
    facts.sessionLocations.map((location) => [JSON.stringify(location), location]),
  );
  for (const folder of sessionLocationPaths([{ sessionLocations: [...declared.values()] }], {
    env: options.env,
    home,
  })) {
    protectedPaths.push({ path: folder.path, what: `the ${folder.reason}`, directory: true });
  }
  for (const envfile of new Set(facts.envfiles)) {
    protectedPaths.push({
      path: envfile,
      what: 'the envfile holding the secrets',
      directory: false,
    });
  }
  const { credentialVariables, credentialPrefixes } = facts;
  const credentialsPresent = Object.keys(options.env).filter(
    (name) =>
      options.env[name] !== undefined &&
      options.env[name] !== '' &&
      (credentialVariables.includes(name) ||
        credentialPrefixes.some((prefix) => name.startsWith(prefix))),
  );
  const seen = new Set<string>();
  const sealedCommands = facts.sealedCommands.filter((command) => {
    const key = JSON.stringify(command);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rules: GuardRules = {
    cwd,
    home,
    vaultPrograms: facts.vaultPrograms,
    protectedPaths,
    credentialVariables,
    credentialPrefixes,
    credentialsPresent,
    sealedCommands,
    env: options.env,
    ...(policyDir === undefined ? {} : { policyDir }),
  };
  return unreadablePolicy === undefined ? { rules } : { rules, unreadablePolicy };
}
