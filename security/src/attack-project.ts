import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import {
  builtinProviderReferences,
  type TestDir,
  type TestFile,
  testdir,
} from '@ironrun/test-utils';

/** dotenv text for `secrets`, each value quoted with a quote character it does not contain. */
export function dotenv(secrets: Readonly<Record<string, string>>): string {
  return Object.entries(secrets)
    .map(([name, value]) => {
      const quote = ["'", '"', '`'].find((candidate) => !value.includes(candidate));
      if (quote === undefined)
        throw new Error(`the test secret ${name} cannot be quoted for dotenv`);
      return `${name}=${quote}${value}${quote}\n`;
    })
    .join('');
}

/** A temporary project attacked by one case: the project, a secrets file and config and state dirs outside it. */
export interface AttackProject {
  project: TestDir;
  dir: string;
  policyPath: string;
  secretsPath: string;
  configDir: string;
  stateDir: string;
  /** Whether the fixture wrote `ran.marker` (it does so first thing). */
  ran(): boolean;
  /** Trusts the policy as it is now, as `ironrun trust` would. */
  trust(): Promise<void>;
  /** The text of every file under the project, the config dir and the state dir, one labelled entry per file. */
  writtenFiles(): Promise<{ label: string; text: string }[]>;
  cleanup(): Promise<void>;
}

async function filesUnder(root: string, label: string): Promise<{ label: string; text: string }[]> {
  const found: { label: string; text: string }[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (path.includes(`${join(root, 'node_modules')}/`)) continue;
    try {
      found.push({
        label: `${label}/${path.slice(root.length + 1)}`,
        text: await readFile(path, 'latin1'),
      });
    } catch {
      // removed while scanning
    }
  }
  return found;
}

/** Builds a project from `files` plus `ironrun.yml` made by `policy(secretsPath)`. */
export async function createAttackProject(options: {
  policy: (paths: { secretsPath: string; dir: string }) => string;
  files: Record<string, TestFile>;
  secrets: Readonly<Record<string, string>>;
}): Promise<AttackProject> {
  const secretsDir = await mkdtemp(join(tmpdir(), 'ironrun-attack-secrets-'));
  const configDir = await mkdtemp(join(tmpdir(), 'ironrun-attack-config-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'ironrun-attack-state-'));
  const secretsPath = join(secretsDir, 'secrets.env');
  await writeFile(secretsPath, dotenv(options.secrets), { mode: 0o600 });
  const project = await testdir(options.files);
  await project.write({ 'ironrun.yml': options.policy({ secretsPath, dir: project.dir }) });
  const policyPath = project.path('ironrun.yml');
  return {
    project,
    dir: project.dir,
    policyPath,
    secretsPath,
    configDir,
    stateDir,
    ran: () => existsSync(project.path('ran.marker')),
    trust: async () => {
      await trust(policyPath, { configDir, providers: builtinProviderReferences });
    },
    writtenFiles: async () => [
      ...(await filesUnder(project.dir, 'project')),
      ...(await filesUnder(configDir, 'config')),
      ...(await filesUnder(stateDir, 'state')),
    ],
    cleanup: async () => {
      await project.cleanup();
      await Promise.all(
        [secretsDir, configDir, stateDir].map((dir) => rm(dir, { recursive: true, force: true })),
      );
    },
  };
}
