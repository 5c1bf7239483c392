import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Policy } from '@ironrun/core';
import {
  builtinProviderDeclarations,
  declaredCredentialVariables,
  providerDeclaration,
  secretFileLocations,
  sessionLocationPaths,
} from '@ironrun/core/provider-facts';

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

/**
 * A policy text, validated against the built-in providers' declarations; `undefined` when it
 * does not validate. The policy reader (YAML, the schema) is loaded here, only when there is a
 * policy to read: `ironrun agent` in a folder without one starts without it.
 */
async function readPolicyText(text: string, filename: string): Promise<Policy | undefined> {
  const { parsePolicy } = await import('@ironrun/core/policy-reader');
  try {
    return parsePolicy(text, { filename, providers: builtinProviderDeclarations() });
  } catch {
    return undefined;
  }
}

/**
 * What the policy's provider declares an agent must not read: its secret files (the envfile),
 * given its options, and its vendor CLI's session locations (a third-party provider's too).
 */
async function providerFilesOf(
  policy: Policy,
  where: { projectDir: string; configDir: string; env: Env; home: string },
): Promise<{ secretFiles: string[]; sessions: { path: string; reason: string }[] }> {
  const declaration = await providerDeclaration(policy.provider.name, {
    projectDir: where.projectDir,
  }).catch(() => undefined);
  return declaration === undefined
    ? { secretFiles: [], sessions: [] }
    : {
        secretFiles: secretFileLocations(declaration, policy.provider.options, where),
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
 * Envfiles and provider session locations named by the policies of the trust store (from the
 * text that was trusted).
 */
async function trustedProviderFiles(
  configDir: string,
  env: Env,
  home: string,
): Promise<{ path: string; reason: string }[]> {
  let names: string[];
  try {
    names = await readdir(join(configDir, 'trust'));
  } catch {
    return [];
  }
  const found: { path: string; reason: string }[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      const record = JSON.parse(await readFile(join(configDir, 'trust', name), 'utf8')) as {
        policyPath?: unknown;
        policyText?: unknown;
      };
      if (typeof record.policyPath !== 'string') continue;
      const text =
        typeof record.policyText === 'string'
          ? record.policyText
          : await readFile(record.policyPath, 'utf8');
      const policy = await readPolicyText(text, record.policyPath);
      if (policy === undefined) continue;
      const files = await providerFilesOf(policy, {
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

async function existing(candidate: {
  path: string;
  reason: string;
}): Promise<SecretLocation | undefined> {
  try {
    const real = await realpath(candidate.path);
    const info = await stat(real);
    if (info.isDirectory()) return { path: real, kind: 'directory', reason: candidate.reason };
    if (info.isFile()) return { path: real, kind: 'file', reason: candidate.reason };
    // A socket or device: cover it with an empty file all the same.
    return (await lstat(real)).isSymbolicLink()
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
 */
export async function agentSecrets(options: {
  env: Env;
  configDir: string;
  /** The project's policy, if any: its envfile is hidden too. */
  policyPath?: string | undefined;
  home?: string | undefined;
}): Promise<AgentSecrets> {
  const home = options.home ?? homedir();
  const candidates = [
    ...configDirCandidates(options.env, home, options.configDir).map((path) => ({
      path,
      reason: 'ironrun config folder (trust store, default secrets.env)',
    })),
    ...(await trustedProviderFiles(options.configDir, options.env, home)),
    ...providerSecretLocations(options.env, home),
  ];
  if (options.policyPath !== undefined) {
    try {
      const policy = await readPolicyText(
        await readFile(options.policyPath, 'utf8'),
        options.policyPath,
      );
      const files =
        policy === undefined
          ? { secretFiles: [], sessions: [] }
          : await providerFilesOf(policy, {
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
  const found = await Promise.all(candidates.map(existing));
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
  return { locations, variables: builtinCredentialVariables(), absent: [...absentPaths.values()] };
}
