import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  builtinProviderDeclarations,
  declaredCredentialVariables,
  providerDeclaration,
  secretFileLocations,
  sessionLocationPaths,
} from '@ironrun/core/provider-facts';
import { type ScannedProvider, scanProviderSection } from './provider-scan.js';

/** One place the confined agent must not read, and why. */
export interface SecretLocation {
  /** Absolute real path. */
  path: string;
  /** A folder is covered by an empty read-only one; a file by an empty one. */
  kind: 'directory' | 'file';
  /** Why it is hidden, for `doctor` and `--dry-run`. */
  reason: string;
}

/** What `ironrun agent` hides from the agent. */
export interface AgentSecrets {
  /** Locations that exist now, hidden from the agent (a location that does not exist has nothing to hide). */
  locations: SecretLocation[];
  /** Environment variables removed from the agent's environment (the broker keeps them). */
  variables: string[];
  /**
   * Locations that do not exist at the start, so there is nothing to cover yet (a mount needs
   * its mount point). `ironrun agent` watches them and stops the agent if one appears.
   */
  absent: { path: string; reason: string }[];
  /**
   * True when a policy's provider section was read by the scan (provider-scan.ts) rather
   * than the full reader: `ironrun agent` then checks the covers against the full reader
   * after the agent started ({@link uncoveredLocation}).
   */
  scanned: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The vault CLIs' config, token and session folders the built-in providers declare
 * (`sessionLocations`), as candidate paths.
 */
export function providerSecretLocations(
  env: Env,
  home: string,
): { path: string; reason: string }[] {
  return sessionLocationPaths(Object.values(builtinProviderDeclarations()), { env, home });
}

/** The credential variables the built-in providers declare. */
export function builtinCredentialVariables(): string[] {
  return declaredCredentialVariables(Object.values(builtinProviderDeclarations()));
}

/** A policy's provider section: its name and options. */
interface ProviderSection {
  readonly name: ScannedProvider['name'];
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * The provider section of a policy text; `undefined` when it names none (the
 * policy does not validate). Unless `exact`, the scan answers where it can
 * (no YAML parser, no schema: see provider-scan.ts); else, and where it is
 * unsure, the policy reader (YAML, the schema) is loaded, so `ironrun agent`
 * in a folder without a policy starts without it. `onScanned` is told when
 * the scan answered.
 */
async function readProviderSection(
  text: string,
  filename: string,
  exact: boolean,
  onScanned: () => void,
): Promise<ProviderSection | undefined> {
  if (!exact) {
    const scanned = scanProviderSection(text);
    if (scanned !== undefined) {
      onScanned();
      return scanned ?? undefined;
    }
  }
  const { parsePolicy } = await import('@ironrun/core/policy-reader');
  try {
    return parsePolicy(text, { filename, providers: builtinProviderDeclarations() }).provider;
  } catch {
    return undefined;
  }
}

/**
 * What the policy's provider declares an agent must not read: its secret files (the envfile),
 * given its options, and its vendor CLI's session locations (a third-party provider's too).
 */
async function providerFilesOf(
  provider: ProviderSection,
  where: { projectDir: string; configDir: string; env: Env; home: string },
): Promise<{ secretFiles: string[]; sessions: { path: string; reason: string }[] }> {
  const declaration = await providerDeclaration(provider.name, {
    projectDir: where.projectDir,
  }).catch(() => undefined);
  return declaration === undefined
    ? { secretFiles: [], sessions: [] }
    : {
        secretFiles: secretFileLocations(declaration, provider.options, where),
        sessions: sessionLocationPaths([declaration], where),
      };
}

/** The ironrun config folders: the one in use and the default ones (any may hold trust records or secrets.env). */
function configDirCandidates(env: Env, home: string, configDir: string): string[] {
  return [
    configDir,
    ...(env.XDG_CONFIG_HOME ? [join(resolve(env.XDG_CONFIG_HOME), 'ironrun')] : []),
    join(home, '.config', 'ironrun'),
  ];
}

/**
 * Creates each of ironrun's own config folders that does not exist yet (mode 0700), so that
 * `ironrun agent` can cover it. A folder missing at the start cannot be covered (a mount needs a
 * mount point): the agent could create it and write a trust record for a policy of its own, or
 * a `secrets.env`, and the cover watch would stop the agent only after the file was written,
 * leaving it for the person's next run outside. A folder that cannot be created here cannot be
 * created by the agent either (the same user, the same permissions), so a failure is left to the
 * cover watch.
 */
export function createConfigFolders(options: {
  env: Env;
  configDir: string;
  home?: string | undefined;
}): void {
  const home = options.home ?? homedir();
  for (const folder of configDirCandidates(options.env, home, options.configDir)) {
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch {
      // left to the cover watch (above)
    }
  }
}

/**
 * Envfiles and provider session locations named by the policies of the trust store (from the
 * text that was trusted).
 */
async function trustedProviderFiles(
  configDir: string,
  env: Env,
  home: string,
  read: (text: string, filename: string) => Promise<ProviderSection | undefined>,
): Promise<{ path: string; reason: string }[]> {
  let names: string[];
  try {
    names = readdirSync(join(configDir, 'trust'));
  } catch {
    return [];
  }
  const found: { path: string; reason: string }[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      const record = JSON.parse(readFileSync(join(configDir, 'trust', name), 'utf8')) as {
        policyPath?: unknown;
        policyText?: unknown;
      };
      if (typeof record.policyPath !== 'string') continue;
      const text =
        typeof record.policyText === 'string'
          ? record.policyText
          : readFileSync(record.policyPath, 'utf8');
      const provider = await read(text, record.policyPath);
      if (provider === undefined) continue;
      const files = await providerFilesOf(provider, {
        projectDir: dirname(record.policyPath),
        configDir,
        env,
        home,
      });
      for (const envfile of files.secretFiles) {
        found.push({ path: envfile, reason: `envfile of the trusted policy ${record.policyPath}` });
      }
      found.push(...files.sessions);
    } catch {
      // A damaged record names nothing; the broker refuses its policy anyway.
    }
  }
  return found;
}

function existing(candidate: { path: string; reason: string }): SecretLocation | undefined {
  try {
    const real = realpathSync.native(candidate.path);
    const info = statSync(real);
    if (info.isDirectory()) return { path: real, kind: 'directory', reason: candidate.reason };
    if (info.isFile()) return { path: real, kind: 'file', reason: candidate.reason };
    // A socket or device: cover it with an empty file all the same.
    return lstatSync(real).isSymbolicLink()
      ? undefined
      : { path: real, kind: 'file', reason: candidate.reason };
  } catch {
    return undefined;
  }
}

/**
 * Everything `ironrun agent` hides from the agent: the ironrun config
 * folders (trust store and the default envfile location), the envfile of
 * every policy in the trust store and of the current project's policy, each
 * provider's credential and session locations, and each provider's
 * credential variables. Locations are real paths, deduplicated, those inside
 * a hidden folder dropped (the folder already covers them).
 *
 * Its reads of the file system are synchronous: a few metadata calls and small files, each
 * microseconds, on the path before the agent starts, where a round through Node's thread pool
 * costs more and on a busy machine waits for a thread to run.
 */
export async function agentSecrets(options: {
  env: Env;
  configDir: string;
  /** The project's policy, if any: its envfile is hidden too. */
  policyPath?: string | undefined;
  home?: string | undefined;
  /** Read every policy with the full reader, never the scan (the check after the start). */
  exact?: boolean | undefined;
}): Promise<AgentSecrets> {
  const home = options.home ?? homedir();
  let scanned = false;
  const read = (text: string, filename: string) =>
    readProviderSection(text, filename, options.exact === true, () => {
      scanned = true;
    });
  const candidates = [
    ...configDirCandidates(options.env, home, options.configDir).map((path) => ({
      path,
      reason: 'ironrun config folder (trust store, default secrets.env)',
    })),
    ...(await trustedProviderFiles(options.configDir, options.env, home, read)),
    ...providerSecretLocations(options.env, home),
  ];
  if (options.policyPath !== undefined) {
    try {
      const provider = await read(readFileSync(options.policyPath, 'utf8'), options.policyPath);
      const files =
        provider === undefined
          ? { secretFiles: [], sessions: [] }
          : await providerFilesOf(provider, {
              projectDir: dirname(options.policyPath),
              configDir: options.configDir,
              env: options.env,
              home,
            });
      for (const envfile of files.secretFiles)
        candidates.push({ path: envfile, reason: `envfile of ${options.policyPath}` });
      candidates.push(...files.sessions);
    } catch {
      // No readable policy: nothing of it to hide.
    }
  }
  const found = candidates.map(existing);
  const resolved = found.filter((location): location is SecretLocation => location !== undefined);
  const byPath = new Map<string, SecretLocation>();
  for (const location of resolved)
    if (!byPath.has(location.path)) byPath.set(location.path, location);
  const folders = [...byPath.values()].filter((location) => location.kind === 'directory');
  const locations = [...byPath.values()].filter(
    (location) =>
      !folders.some((folder) => folder !== location && location.path.startsWith(`${folder.path}/`)),
  );
  const absentPaths = new Map<string, { path: string; reason: string }>();
  candidates.forEach((candidate, index) => {
    const path = resolve(candidate.path);
    if (found[index] !== undefined || absentPaths.has(path)) return;
    if (folders.some((folder) => path.startsWith(`${folder.path}/`))) return;
    absentPaths.set(path, { path, reason: candidate.reason });
  });
  return {
    locations,
    variables: builtinCredentialVariables(),
    absent: [...absentPaths.values()],
    scanned,
  };
}

/**
 * The first location of `exact` (found with the full reader) that `covered`
 * does not hide, neither itself nor by a folder that holds it; `undefined`
 * when every one is covered. `ironrun agent` stops the agent on one.
 */
export function uncoveredLocation(
  covered: readonly SecretLocation[],
  exact: readonly SecretLocation[],
): SecretLocation | undefined {
  return exact.find(
    (location) =>
      !covered.some(
        (cover) =>
          cover.path === location.path ||
          (cover.kind === 'directory' && location.path.startsWith(`${cover.path}/`)),
      ),
  );
}
