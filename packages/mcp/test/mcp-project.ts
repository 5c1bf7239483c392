import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trust } from '@ironrun/policy';
import {
  builtinProviderReferences,
  type TestDir,
  type TestFile,
  testdir,
} from '@ironrun/test-utils';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const serverScript = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'server.mjs');
export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** The fixture server runs the built package: fail with a clear message when it was not built. */
export function assertBuilt(): void {
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error(
      'packages/mcp/dist is missing: run `pnpm --filter @ironrun/mcp... build` first',
    );
  }
}

export interface McpProject {
  project: TestDir;
  policyPath: string;
  configDir: string;
  runsDir: string;
  /** Arguments after `node` that start the fixture server for this project. */
  serverArgs(extra?: string[]): string[];
  connect(options?: { clientOptions?: ClientOptions; serverArgs?: string[] }): Promise<Client>;
  cleanup(): Promise<void>;
}

/** A temporary project (trusted unless told otherwise) and a way to connect an MCP client to it over stdio. */
export async function mcpProject(options: {
  policy: string;
  files: Record<string, TestFile>;
  secrets: Record<string, string>;
  trusted?: boolean;
}): Promise<McpProject> {
  const secretsDir = await mkdtemp(join(tmpdir(), 'ironrun-secrets-'));
  const configDir = await mkdtemp(join(tmpdir(), 'ironrun-config-'));
  const runsDir = await mkdtemp(join(tmpdir(), 'ironrun-runs-'));
  const secretsPath = join(secretsDir, 'secrets.env');
  const dotenv = Object.entries(options.secrets)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
    .join('');
  await writeFile(secretsPath, dotenv, { mode: 0o600 });
  const project = await testdir({
    'ironrun.yml': options.policy.replaceAll('{{SECRETS}}', secretsPath),
    ...options.files,
  });
  const policyPath = project.path('ironrun.yml');
  if (options.trusted !== false)
    await trust(policyPath, { configDir, providers: builtinProviderReferences });
  const clients: Client[] = [];
  const serverArgs = (extra: string[] = []) => [
    serverScript,
    '--policy',
    policyPath,
    '--config-dir',
    configDir,
    '--runs-dir',
    runsDir,
    ...extra,
  ];
  return {
    project,
    policyPath,
    configDir,
    runsDir,
    serverArgs,
    async connect(connectOptions = {}) {
      const client = new Client(
        { name: 'ironrun-test', version: '0.0.0' },
        connectOptions.clientOptions,
      );
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: serverArgs(connectOptions.serverArgs),
        stderr: 'pipe',
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async cleanup() {
      await Promise.all(clients.map((client) => client.close()));
      await project.cleanup();
      await Promise.all(
        [secretsDir, configDir, runsDir].map((dir) => rm(dir, { recursive: true, force: true })),
      );
    },
  };
}
