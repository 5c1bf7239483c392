import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runIronrun } from './cli-process.js';
import { installExampleProvider } from './example-provider.js';

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

/** An MCP client connected to `ironrun mcp` started in `cwd`. */
async function connect(cwd: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'mcp'],
    cwd,
    env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'ironrun-cli-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

describe('ironrun mcp', () => {
  it('serves list_commands and run_sealed on stdio, with the secret redacted', async () => {
    const client = await connect(project.dir);
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

describe('ironrun mcp with a third-party provider', () => {
  it('loads ironrun-provider-example by name once the policy is trusted, and redacts its secret', async () => {
    const plugin = await testdir({
      'ironrun.yml': [
        'version: 1',
        'provider:',
        '  name: ironrun-provider-example',
        `  file: ${join(home.dir, 'example.json')}`,
        'commands:',
        '  - id: hello',
        `    argv: [node, -e, "console.log('key ' + process.env.API_KEY)"]`,
        `    path: ${dirname(process.execPath)}`,
        '    env:',
        '      API_KEY: example://API_KEY',
        '',
      ].join('\n'),
    });
    try {
      await installExampleProvider(plugin.dir);
      await home.write({
        'example.json': { content: JSON.stringify({ API_KEY: secret }), mode: 0o600 },
      });
      const client = await connect(plugin.dir);
      try {
        const untrusted = await client.callTool({ name: 'run_sealed', arguments: { id: 'hello' } });
        expect(untrusted.isError).toBe(true);
        expect(JSON.stringify(untrusted.content)).toContain('TRUST_UNTRUSTED');

        expect((await runIronrun(['trust', '--yes'], { cwd: plugin.dir, env })).code).toBe(0);
        const listed = await client.callTool({ name: 'list_commands', arguments: {} });
        expect(listed.isError).toBeFalsy();
        expect(listed.structuredContent).toMatchObject({
          commands: [{ id: 'hello', env: ['API_KEY'] }],
        });
        const result = await client.callTool({ name: 'run_sealed', arguments: { id: 'hello' } });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toMatchObject({
          exit_code: 0,
          stdout: 'key [REDACTED]\n',
          redactions: 1,
        });
        expect(JSON.stringify(result)).not.toContain(secret);
        expect(JSON.stringify(listed)).not.toContain(secret);
      } finally {
        await client.close();
      }
    } finally {
      await plugin.cleanup();
    }
  });
});
