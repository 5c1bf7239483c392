import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import {
  builtinProviderReferences,
  type TestDir,
  type TestFile,
  testdir,
} from '@ironrun/test-utils';

/** Built-in providers as the CLI passes them. */
export const builtinProviders = { envfile: () => import('@ironrun/providers-envfile') };

export interface SealedProject {
  project: TestDir;
  policyPath: string;
  configDir: string;
  secretsPath: string;
  /** Writes the secrets file again. */
  writeSecrets(secrets: Record<string, string>): Promise<void>;
  cleanup(): Promise<void>;
}

function dotenv(secrets: Record<string, string>): string {
  return Object.entries(secrets)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
    .join('');
}

/**
 * A temporary project with an `ironrun.yml` (whose `{{SECRETS}}` is replaced
 * by the path of a secrets file in another temporary folder, outside the
 * project), its files, a config dir, and, unless told otherwise, trusted.
 */
export async function sealedProject(options: {
  policy: string;
  files?: Record<string, TestFile>;
  secrets?: Record<string, string>;
  trusted?: boolean;
  schemes?: string[];
}): Promise<SealedProject> {
  const secretsDir = await mkdtemp(join(tmpdir(), 'ironrun-secrets-'));
  const configDir = await mkdtemp(join(tmpdir(), 'ironrun-config-'));
  const secretsPath = join(secretsDir, 'secrets.env');
  await writeFile(secretsPath, dotenv(options.secrets ?? {}), { mode: 0o600 });
  const project = await testdir({
    'ironrun.yml': options.policy.replaceAll('{{SECRETS}}', secretsPath),
    ...options.files,
  });
  const policyPath = project.path('ironrun.yml');
  if (options.trusted !== false)
    await trust(policyPath, {
      configDir,
      providers: builtinProviderReferences,
      schemes: options.schemes ?? [],
    });
  return {
    project,
    policyPath,
    configDir,
    secretsPath,
    writeSecrets: (secrets) => writeFile(secretsPath, dotenv(secrets), { mode: 0o600 }),
    cleanup: async () => {
      await project.cleanup();
      await rm(secretsDir, { recursive: true, force: true });
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** Everything an error exposes: message, stack and causes, as one string. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', JSON.stringify(current));
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}

/**
 * Starts `source` (a CommonJS script, as `node -e` runs it) with `args`, as the agent would
 * run its own swapper beside ironrun: it swaps until its stdin closes, then prints how many
 * swaps it made. `stop()` closes its stdin and returns that count.
 */
export function startSwapper(
  source: string,
  args: readonly string[],
): { stop: () => Promise<number> } {
  const child: ChildProcess = spawn(process.execPath, ['-e', source, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      child.stdin?.end();
      await exited;
      return Number(out);
    },
  };
}
