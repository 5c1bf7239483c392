import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  type McpProject,
  mcpProject,
  packageDir,
  serverScript,
} from './mcp-project.js';

const run = promisify(execFile);
const SECRET = `xoxb-${randomBytes(16).toString('hex')}`;

let mcp: McpProject;

beforeAll(async () => {
  assertBuilt();
  mcp = await mcpProject({
    policy: `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: hello
    description: says hello with a token
    argv: [./hello.sh]
    env:
      SLACK_TOKEN: envfile://SLACK_TOKEN
`,
    files: { 'hello.sh': '#!/bin/sh\necho "hello $SLACK_TOKEN"\n' },
    secrets: { SLACK_TOKEN: SECRET },
  });
});

afterAll(async () => {
  await mcp?.cleanup();
});

/** Runs the official MCP Inspector in CLI mode (no browser, no network) against the built server. */
async function inspector(...methodArgs: string[]): Promise<unknown> {
  const { stdout } = await run(
    'npx',
    [
      '--offline',
      '@modelcontextprotocol/inspector',
      '--cli',
      '-e',
      `IRONRUN_TEST_POLICY=${mcp.policyPath}`,
      '-e',
      `IRONRUN_TEST_CONFIG_DIR=${mcp.configDir}`,
      process.execPath,
      serverScript,
      ...methodArgs,
    ],
    { cwd: packageDir, timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

describe('createIronrunServer with the MCP Inspector CLI as an independent client', () => {
  it('lists run_sealed and list_commands', async () => {
    const listed = (await inspector('--method', 'tools/list')) as { tools: { name: string }[] };
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(['list_commands', 'run_sealed']);
  });

  it('calls run_sealed and gets the redacted result', async () => {
    const result = (await inspector(
      '--method',
      'tools/call',
      '--tool-name',
      'run_sealed',
      '--tool-arg',
      'id=hello',
    )) as {
      structuredContent: Record<string, unknown>;
      isError?: boolean;
    };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      exit_code: 0,
      stdout: 'hello [REDACTED]\n',
      redactions: 1,
    });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
