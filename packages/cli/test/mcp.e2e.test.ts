import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runIronrun } from './cli-process.js';

const secret = 'mcp_e2e_secret_5f4e3d2c1b';
let project: TestDir;
let home: TestDir;
let env: Record<string, string>;

beforeAll(async () => {
  project = await testdir();
  home = await testdir({ 'cfg/secrets.env': { content: `KEY=${secret}\n`, mode: 0o600 } });
  const config = join(home.dir, 'cfg');
  await project.write({
    'ironrun.yml': [
      'version: 1',
      `provider: { name: envfile, path: ${join(config, 'secrets.env')} }`,
      'commands:',
      '  - id: show',
      `    argv: [node, -e, "console.log('key=' + process.env.KEY)"]`,
      `    path: ${dirname(process.execPath)}`,
      '    env: { KEY: envfile://KEY }',
      '',
    ].join('\n'),
  });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: config, XDG_STATE_HOME: join(home.dir, 'state') };
  expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
  await home.cleanup();
});

describe('ironrun mcp', () => {
  it('serves list_commands and run_sealed on stdio, with the secret redacted', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliPath, 'mcp'],
      cwd: project.dir,
      env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'ironrun-cli-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['list_commands', 'run_sealed']);
      const result = await client.callTool({ name: 'run_sealed', arguments: { id: 'show' } });
      const structured = result.structuredContent as {
        exit_code: number;
        stdout: string;
        redactions: number;
      };
      expect(structured.exit_code).toBe(0);
      expect(structured.stdout).toBe('key=[REDACTED]\n');
      expect(JSON.stringify(result)).not.toContain(secret);
    } finally {
      await client.close();
    }
  });
});
