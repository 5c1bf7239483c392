import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cliPath, runIronrun } from './cli-process.js';

// For every agent `init --agents all` configures, a real MCP client is started with exactly
// the command and args the written file (or the printed snippet) holds, the way that agent
// starts it, and must list ironrun's tools and the project's commands.
let project: TestDir;
let home: TestDir;
let env: Record<string, string>;
let snippets: { agent: string; path: string; format: string; text: string }[];

interface Launch {
  command: string;
  args: string[];
}

beforeAll(async () => {
  project = await testdir();
  home = await testdir({
    'cfg/secrets.env': { content: 'KEY=init_agents_secret_77\n', mode: 0o600 },
  });
  await project.write({
    'ironrun.yml': [
      'version: 1',
      `provider: { name: envfile, path: ${join(home.dir, 'cfg', 'secrets.env')} }`,
      'commands:',
      '  - id: show',
      `    argv: [node, -e, "console.log('key=' + process.env.KEY)"]`,
      `    path: ${dirname(process.execPath)}`,
      '    env: { KEY: envfile://KEY }',
      '',
    ].join('\n'),
  });
  env = {
    HOME: home.dir,
    IRONRUN_CONFIG_DIR: join(home.dir, 'cfg'),
    XDG_STATE_HOME: join(home.dir, 'state'),
  };
  expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
  const init = await runIronrun(
    ['init', '--agents', 'all', '--bin', `${process.execPath} ${cliPath}`, '--json'],
    { cwd: project.dir, env },
  );
  expect(init.code).toBe(0);
  snippets = (JSON.parse(init.stdout) as { snippets: typeof snippets }).snippets;
});

afterAll(async () => {
  await project.cleanup();
  await home.cleanup();
});

async function json(path: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await readFile(project.path(path), 'utf8'));
}

function launchOf(entry: unknown, keys: { command: string } = { command: 'command' }): Launch {
  const record = entry as Record<string, unknown>;
  const command = record[keys.command];
  const args = record.args;
  expect(typeof command).toBe('string');
  expect(Array.isArray(args) && args.every((arg) => typeof arg === 'string')).toBe(true);
  return { command: command as string, args: args as string[] };
}

/** Starts the server exactly as configured, in `cwd`, and returns its tools and command ids. */
async function listFrom(launch: Launch, cwd: string): Promise<{ tools: string[]; text: string }> {
  const transport = new StdioClientTransport({
    command: launch.command,
    args: launch.args,
    cwd,
    env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'ironrun-init-agents-test', version: '0.0.0' });
  await client.connect(transport);
  try {
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    const listed = await client.callTool({ name: 'list_commands', arguments: {} });
    return { tools, text: JSON.stringify(listed) };
  } finally {
    await client.close();
  }
}

async function expectServes(launch: Launch, cwd: string): Promise<void> {
  const { tools, text } = await listFrom(launch, cwd);
  expect(tools).toEqual(['list_commands', 'run_sealed']);
  expect(text).toContain('show');
}

const workspaceFolder = `${'$'}{workspaceFolder}`;
const workspace = (launch: Launch): Launch => ({
  ...launch,
  // What VS Code and Cursor do with the workspace folder variable before they start the server.
  args: launch.args.map((arg) => arg.replace(workspaceFolder, project.dir)),
});

describe('init --agents all: each written config starts a working ironrun MCP server', () => {
  it('Claude Code: .mcp.json mcpServers (started in the project)', async () => {
    const file = await json('.mcp.json');
    expect(file.mcpServers?.ironrun).toMatchObject({ type: 'stdio' });
    await expectServes(launchOf(file.mcpServers?.ironrun), project.dir);
  });

  it('Cursor: .cursor/mcp.json mcpServers, with the workspace folder variable', async () => {
    const file = await json('.cursor/mcp.json');
    await expectServes(workspace(launchOf(file.mcpServers?.ironrun)), home.dir);
  });

  it('VS Code: .vscode/mcp.json servers, with the workspace folder variable', async () => {
    const file = await json('.vscode/mcp.json');
    expect(file.servers?.ironrun).toMatchObject({ type: 'stdio' });
    await expectServes(workspace(launchOf(file.servers?.ironrun)), home.dir);
  });

  it('Codex: .codex/config.toml [mcp_servers.ironrun] (started in the project)', async () => {
    const file = JSON.parse(
      JSON.stringify(parseToml(await readFile(project.path('.codex/config.toml'), 'utf8'))),
    );
    expect(file.shell_environment_policy.exclude).toContain('OP_SERVICE_ACCOUNT_TOKEN');
    await expectServes(launchOf(file.mcp_servers.ironrun), project.dir);
  });

  it('Gemini CLI: .gemini/settings.json mcpServers (started in the project)', async () => {
    const file = await json('.gemini/settings.json');
    expect(Object.keys(file)).toEqual(['mcpServers', 'hooks']);
    await expectServes(launchOf(file.mcpServers?.ironrun), project.dir);
  });

  it('Zed: .zed/settings.json context_servers (custom), naming the policy', async () => {
    const file = await json('.zed/settings.json');
    expect(file.context_servers?.ironrun).toMatchObject({ source: 'custom', env: {} });
    await expectServes(launchOf(file.context_servers?.ironrun), home.dir);
  });

  it('JetBrains Junie: .junie/mcp/mcp.json mcpServers, naming the policy', async () => {
    const file = await json('.junie/mcp/mcp.json');
    await expectServes(launchOf(file.mcpServers?.ironrun), home.dir);
  });
});

describe('init --agents all: each printed snippet starts a working ironrun MCP server', () => {
  const snippet = (agent: string) => {
    const found = snippets.find((candidate) => candidate.agent === agent);
    expect(found, agent).toBeDefined();
    return found as (typeof snippets)[number];
  };

  it('Codex (user level): ~/.codex/config.toml', async () => {
    const printed = snippet('codex');
    expect(printed.format).toBe('toml');
    const parsed = JSON.parse(JSON.stringify(parseToml(printed.text)));
    await expectServes(launchOf(parsed.mcp_servers.ironrun), home.dir);
  });

  it('Windsurf: ~/.codeium/windsurf/mcp_config.json', async () => {
    const parsed = JSON.parse(snippet('windsurf').text);
    await expectServes(launchOf(parsed.mcpServers.ironrun), home.dir);
  });

  it('Cline: cline_mcp_settings.json', async () => {
    const parsed = JSON.parse(snippet('cline').text);
    expect(parsed.mcpServers.ironrun).toMatchObject({ disabled: false, autoApprove: [] });
    await expectServes(launchOf(parsed.mcpServers.ironrun), home.dir);
  });

  it('goose: ~/.config/goose/config.yaml extensions (stdio, cmd)', async () => {
    const printed = snippet('goose');
    expect(printed.format).toBe('yaml');
    const parsed = parseYaml(printed.text) as { extensions: { ironrun: Record<string, unknown> } };
    expect(parsed.extensions.ironrun).toMatchObject({
      type: 'stdio',
      enabled: true,
      name: 'ironrun',
    });
    await expectServes(launchOf(parsed.extensions.ironrun, { command: 'cmd' }), home.dir);
  });
});
