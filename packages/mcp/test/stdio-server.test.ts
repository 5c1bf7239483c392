import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeIsolation } from '@ironrun/core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, type McpProject, mcpProject } from './mcp-project.js';

const SECRET = `ghp_${randomBytes(16).toString('hex')}`;
// A token no other test uses, to find this suite's processes in /proc.
const SLEEP = `${1000 + Math.floor(Math.random() * 8000)}.${randomBytes(2).readUInt16BE()}`;

const files = {
  'scripts/print.sh': '#!/bin/sh\necho "token=$API_TOKEN"\ntouch ran.marker\n',
  'scripts/fail.sh': '#!/bin/sh\necho "bad input" >&2\nexit 7\n',
  'scripts/args.sh': '#!/bin/sh\necho "args=$*"\n',
  'scripts/forever.sh': '#!/bin/sh\nexec sleep 30\n',
  'scripts/split.sh':
    '#!/bin/sh\nprintf %s "$API_TOKEN" | head -c 9\nsleep 0.3\nprintf %s "$API_TOKEN" | tail -c +10\necho\n',
  'scripts/tree.sh': `#!/bin/sh\ntouch tree.started\nsleep ${SLEEP} &\nsleep ${SLEEP}\n`,
  'scripts/slow.sh': '#!/bin/sh\necho working\nsleep 1.2\necho done\n',
  'scripts/flood.sh':
    '#!/bin/sh\necho FIRST\ni=0\nwhile [ $i -lt 3000 ]; do echo "row $i $API_TOKEN"; i=$((i+1)); done\necho LAST\n',
};

const policy = `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: print
    description: prints the token
    argv: [./scripts/print.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: fail
    argv: [./scripts/fail.sh]
  - id: forever
    argv: [./scripts/forever.sh]
    ttl: 500ms
  - id: split
    argv: [./scripts/split.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: tree
    argv: [./scripts/tree.sh]
    ttl: 60s
  - id: slow
    argv: [./scripts/slow.sh]
  - id: flood
    argv: [./scripts/flood.sh]
    max_output: 4KiB
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: guarded
    argv: [./scripts/print.sh]
    confirm: true
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: filtered
    argv: [./scripts/args.sh]
    args:
      pattern: '-k|[a-z_]+(?:/[a-z_.]+)*'
      max: 3
      allow_options: true
`;

type ToolResult = {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
};

/** Calls `run_sealed` and returns its result. */
async function runSealed(client: Client, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name: 'run_sealed', arguments: args })) as ToolResult;
}

function text(result: ToolResult): string {
  return result.content.map((part) => part.text ?? '').join('');
}

function expectNoSecret(result: unknown) {
  expect(JSON.stringify(result)).not.toContain(SECRET);
}

/** Pids of live processes whose command line holds `token` (any PID namespace is visible from here). */
async function processesWith(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8');
      if (cmdline.split('\0').includes(token)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let mcp: McpProject;

beforeAll(async () => {
  assertBuilt();
  mcp = await mcpProject({ policy, files, secrets: { API_TOKEN: SECRET } });
});

afterAll(async () => {
  await mcp?.cleanup();
});

describe('createIronrunServer over stdio', () => {
  it('lists run_sealed as not read-only with an output schema, and list_commands', async () => {
    const client = await mcp.connect();
    const { tools } = await client.listTools();
    const run = tools.find((tool) => tool.name === 'run_sealed');
    expect(run?.annotations?.readOnlyHint).toBe(false);
    expect(run?.outputSchema?.properties).toHaveProperty('exit_code');
    expect(run?.inputSchema.properties).toHaveProperty('id');
    expect(tools.map((tool) => tool.name).sort()).toEqual(['list_commands', 'run_sealed']);
  });

  it('list_commands shows ids, args, ttl, no_network and confirm, and never a secret', async () => {
    const client = await mcp.connect();
    const result = (await client.callTool({ name: 'list_commands', arguments: {} })) as ToolResult;
    expect(result.isError).toBeFalsy();
    const commands = (result.structuredContent as { commands: Record<string, unknown>[] }).commands;
    expect(commands.map((command) => command.id)).toEqual([
      'print',
      'fail',
      'forever',
      'split',
      'tree',
      'slow',
      'flood',
      'guarded',
      'filtered',
    ]);
    expect(commands[0]).toMatchObject({
      id: 'print',
      description: 'prints the token',
      env: ['API_TOKEN'],
      accepts_args: false,
      no_network: false,
      confirm: false,
    });
    expect(commands[2]).toMatchObject({ ttl_ms: 500 });
    expect(commands.at(-1)).toMatchObject({
      id: 'filtered',
      accepts_args: true,
      args_pattern: '-k|[a-z_]+(?:/[a-z_.]+)*',
      max_args: 3,
      allow_options: true,
    });
    expect(commands[0]).not.toHaveProperty('args_pattern');
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    expectNoSecret(result);
  });

  it('run_sealed returns the redacted result as structuredContent and the same JSON as text', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'print' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      exit_code: 0,
      stdout: 'token=[REDACTED]\n',
      stderr: '',
      timed_out: false,
      truncated: false,
      redactions: 1,
    });
    expect(typeof result.structuredContent?.duration_ms).toBe('number');
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    expectNoSecret(result);
    // The agent is told the isolation the run had; under the native init, its seccomp filter too.
    const isolation = await probeIsolation();
    if (isolation.pidNamespace && typeof isolation.nativeInit === 'string')
      expect(result.structuredContent?.isolation).toMatch(/^namespaces \(native init, seccomp/);
    else console.log('run_sealed isolation: the native init is not used here; seccomp not named');
  });

  it('a failing command is a normal result with its exit code', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'fail' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ exit_code: 7, stderr: 'bad input\n' });
  });

  it('a command past its ttl is killed and reported as timed out', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'forever' });
    expect(result.structuredContent).toMatchObject({ timed_out: true, exit_code: null });
  });

  it('redacts a secret written across two chunks', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'split' });
    expect(result.structuredContent?.stdout).toBe('[REDACTED]\n');
    expectNoSecret(result);
    expect(JSON.stringify(result)).not.toContain(SECRET.slice(0, 9));
  });

  it('refuses an unknown id with an error result listing the valid ids', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'deploy' });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('print, fail, forever');
  });

  it("documents args in run_sealed's input schema and description, and list_commands' output schema", async () => {
    const client = await mcp.connect();
    const { tools } = await client.listTools();
    const run = tools.find((tool) => tool.name === 'run_sealed');
    const args = run?.inputSchema.properties?.args as { type?: string; description?: string };
    expect(args.type).toBe('array');
    expect(run?.inputSchema.required).toEqual(['id']);
    for (const word of ['accepts_args', 'args_pattern', 'max_args', 'allow_options']) {
      expect(args.description).toContain(word);
      expect(run?.description).toContain(word);
    }
    expect(run?.description).toMatch(/"args":\["tests\/test_api\.py","-k","login"\]/);
    const list = tools.find((tool) => tool.name === 'list_commands');
    const item = (
      list?.outputSchema?.properties?.commands as { items?: { properties?: object } } | undefined
    )?.items?.properties;
    expect(Object.keys(item ?? {})).toEqual(
      expect.arrayContaining(['accepts_args', 'args_pattern', 'max_args', 'allow_options']),
    );
  });

  it('runs a command with the args its pattern admits, and refuses one it does not', async () => {
    const client = await mcp.connect();
    const ok = await runSealed(client, { id: 'filtered', args: ['tests/api.py', '-k', 'login'] });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent?.stdout).toBe('args=tests/api.py -k login\n');
    for (const args of [
      ['--config', 'x'],
      ['-k=login'],
      ['../up'],
      ['/etc/passwd'],
      ['a', 'b', 'c', 'd'],
    ]) {
      const refused = await runSealed(client, { id: 'filtered', args });
      expect(refused.isError, JSON.stringify(args)).toBe(true);
      expect(text(refused)).toContain('ARGS_REJECTED');
    }
  });

  it('refuses extra args the command does not declare', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'print', args: ['; cat /etc/passwd'] });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('ARGS_REJECTED');
  });

  it('keeps head and tail of a flood within max_output and saves the full redacted output', async () => {
    const client = await mcp.connect();
    const result = await runSealed(client, { id: 'flood' });
    const structured = result.structuredContent as {
      stdout: string;
      truncated: boolean;
      full_output_path: string;
    };
    expect(structured.truncated).toBe(true);
    expect(structured.stdout.startsWith('FIRST\n')).toBe(true);
    expect(structured.stdout.endsWith('LAST\n')).toBe(true);
    expect(Buffer.byteLength(structured.stdout)).toBeLessThanOrEqual(4096);
    expect(structured.full_output_path.startsWith(mcp.runsDir)).toBe(true);
    const full = await readFile(join(structured.full_output_path, 'stdout.log'), 'utf8');
    expect(full.split('\n')).toHaveLength(3003);
    expect(full).not.toContain(SECRET);
    expectNoSecret(result);
  });

  it('sends progress notifications while a command runs, when asked', async () => {
    const client = await mcp.connect({ serverArgs: ['--heartbeat-ms', '100'] });
    const progress: { progress: number; message?: string | undefined }[] = [];
    const result = await client.callTool(
      { name: 'run_sealed', arguments: { id: 'slow' } },
      CallToolResultSchema,
      {
        onprogress: (notification) => progress.push(notification),
      },
    );
    expect(result.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]?.message).toMatch(/^slow: running for \d+ s, .* of output$/);
    const values = progress.map((entry) => entry.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length);
  });

  it('kills the whole process tree when the client cancels the request', async () => {
    const client = await mcp.connect();
    const controller = new AbortController();
    const pending = client.callTool(
      { name: 'run_sealed', arguments: { id: 'tree' } },
      CallToolResultSchema,
      {
        signal: controller.signal,
      },
    );
    pending.catch(() => {});
    await waitFor(async () => (await processesWith(SLEEP)).length === 2, 'both sleeps to start');
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(
      async () => (await processesWith(SLEEP)).length === 0,
      'the process tree to be killed',
    );
    expect(await processesWith(SLEEP)).toEqual([]);
  });

  it('kills a running command when the client disconnects', async () => {
    const client = await mcp.connect();
    client.callTool({ name: 'run_sealed', arguments: { id: 'tree' } }).catch(() => {});
    await waitFor(async () => (await processesWith(SLEEP)).length === 2, 'both sleeps to start');
    await client.close();
    await waitFor(
      async () => (await processesWith(SLEEP)).length === 0,
      'the process tree to be killed',
    );
    expect(await processesWith(SLEEP)).toEqual([]);
  });

  it('refuses a policy edited after trust, on the next call of a server already running', async () => {
    const client = await mcp.connect();
    const before = await runSealed(client, { id: 'fail' });
    expect(before.isError).toBeFalsy();
    const original = await readFile(mcp.policyPath, 'utf8');
    // Trust is per command: the edit is to the entry of the command called.
    await writeFile(
      mcp.policyPath,
      original.replace('argv: [./scripts/fail.sh]', 'argv: [./scripts/fail.sh]\n    ttl: 61s'),
    );
    try {
      const after = await runSealed(client, { id: 'fail' });
      expect(after.isError).toBe(true);
      expect(text(after)).toContain('TRUST_CHANGED');
    } finally {
      await writeFile(mcp.policyPath, original);
    }
  });

  describe('confirm: true', () => {
    it('runs after a person approves through elicitation, which names the command and references only', async () => {
      const client = await mcp.connect({ clientOptions: { capabilities: { elicitation: {} } } });
      const asked: string[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        asked.push(request.params.message);
        return { action: 'accept', content: { approve: true } };
      });
      const result = await runSealed(client, { id: 'guarded' });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        exit_code: 0,
        stdout: 'token=[REDACTED]\n',
      });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain('"guarded"');
      expect(asked[0]).toContain('envfile://API_TOKEN');
      expect(asked[0]).not.toContain(SECRET);
    });

    it('does not run when the person declines', async () => {
      const client = await mcp.connect({ clientOptions: { capabilities: { elicitation: {} } } });
      client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
      await rm(mcp.project.path('ran.marker'), { force: true });
      const result = await runSealed(client, { id: 'guarded' });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('CONFIRM_DECLINED');
      expect(existsSync(mcp.project.path('ran.marker'))).toBe(false);
    });

    it('does not run when the form is accepted without approving', async () => {
      const client = await mcp.connect({ clientOptions: { capabilities: { elicitation: {} } } });
      client.setRequestHandler(ElicitRequestSchema, async () => ({
        action: 'accept',
        content: { approve: false },
      }));
      const result = await runSealed(client, { id: 'guarded' });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('CONFIRM_DECLINED');
    });

    it('does not run when the client cannot ask a person', async () => {
      const client = await mcp.connect();
      const result = await runSealed(client, { id: 'guarded' });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('no way to ask a person');
    });
  });
});

describe('createIronrunServer with an untrusted policy', () => {
  let untrusted: McpProject;
  beforeAll(async () => {
    untrusted = await mcpProject({ policy, files, secrets: { API_TOKEN: SECRET }, trusted: false });
  });
  afterAll(async () => {
    await untrusted?.cleanup();
  });

  it('refuses run_sealed with an error result saying a person must trust it, and runs nothing', async () => {
    const client = await untrusted.connect();
    const result = await runSealed(client, { id: 'print' });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('TRUST_UNTRUSTED');
    expect(text(result)).toContain('ironrun trust');
    expect(existsSync(untrusted.project.path('ran.marker'))).toBe(false);
    expectNoSecret(result);
  });

  it('refuses list_commands too', async () => {
    const client = await untrusted.connect();
    const result = (await client.callTool({ name: 'list_commands', arguments: {} })) as ToolResult;
    expect(result.isError).toBe(true);
  });
});
