import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { NormalizedResult, Outcome } from './attack-case.js';
import { dotenv } from './attack-project.js';
import { collectExposure, type PreparedCase } from './run-attack.js';
import { testSecrets } from './test-secrets.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const cliPackage = join(repoRoot, 'packages', 'cli');
/** The built CLI, as `npx @ironrun/cli` runs it: the file package.json's `bin` names. */
export const cliPath = join(
  cliPackage,
  (
    JSON.parse(readFileSync(join(cliPackage, 'package.json'), 'utf8')) as {
      bin: { ironrun: string };
    }
  ).bin.ironrun,
);
/** The bundled GitHub Action, as the runner starts it. */
export const actionPath = join(repoRoot, 'apps', 'action', 'dist', 'index.js');

export const cliBuilt = existsSync(cliPath);
export const actionBuilt = existsSync(actionPath);

/** The environment of an agent's shell: the test's PATH and HOME, ironrun's dirs pointed at the case's temp dirs. */
function agentEnv(prepared: PreparedCase): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    IRONRUN_CONFIG_DIR: prepared.project.configDir,
    XDG_CONFIG_HOME: join(prepared.project.stateDir, 'xdg-config'),
    XDG_STATE_HOME: prepared.project.stateDir,
    ...prepared.callerEnv,
  };
}

function runProcess(
  file: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', fail);
    child.once('close', (code) =>
      done({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/** Runs a prepared case with `ironrun run <id> --json`, as an agent's shell would. */
export async function runThroughCli(prepared: PreparedCase): Promise<Outcome> {
  const { attack, project } = prepared;
  const args = attack.args ?? [];
  const run = await runProcess(
    process.execPath,
    [
      cliPath,
      'run',
      attack.commandId ?? 'attack',
      '--json',
      '--policy',
      project.policyPath,
      ...(args.length > 0 ? ['--', ...args] : []),
    ],
    { cwd: project.dir, env: agentEnv(prepared) },
  );
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(run.stdout);
    if (typeof value === 'object' && value !== null && 'exit_code' in value)
      parsed = value as Record<string, unknown>;
  } catch {
    // not a result: the run was refused
  }
  return {
    frontend: 'cli',
    ...(parsed === undefined
      ? { refusal: { message: run.stderr || `exit ${run.code}` } }
      : { result: fromRunOutput(parsed) }),
    ...(await collectExposure(prepared, [
      { label: 'cli stdout', text: run.stdout },
      { label: 'cli stderr', text: run.stderr },
    ])),
    project,
    context: prepared.context,
  };
}

/** Runs a prepared case with `ironrun run <id>` printing the redacted output live; returns what the terminal shows. */
export async function runThroughCliLive(
  prepared: PreparedCase,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { attack, project } = prepared;
  return runProcess(
    process.execPath,
    [cliPath, 'run', attack.commandId ?? 'attack', '--policy', project.policyPath],
    {
      cwd: project.dir,
      env: agentEnv(prepared),
    },
  );
}

function fromRunOutput(output: Record<string, unknown>): NormalizedResult {
  return {
    exitCode: output.exit_code as number | null,
    stdout: String(output.stdout ?? ''),
    stderr: String(output.stderr ?? ''),
    timedOut: output.timed_out === true,
    truncated: output.truncated === true,
    redactions: Number(output.redactions ?? 0),
  };
}

const fixtureServer = join(import.meta.dirname, '..', 'test', 'fixtures', 'mcp-server.mjs');

/** Runs a prepared case through the MCP server (`ironrun mcp` over stdio) with the SDK's client. */
export async function runThroughMcp(prepared: PreparedCase): Promise<Outcome> {
  const { attack, project } = prepared;
  const serverArgs = cliBuilt
    ? [cliPath, 'mcp', '--policy', project.policyPath]
    : [fixtureServer, project.policyPath];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: serverArgs,
    env: agentEnv(prepared),
    cwd: project.dir,
    stderr: 'pipe',
  });
  let serverStderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    serverStderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'ironrun-attack-suite', version: '0.0.0' });
  await client.connect(transport);
  let toolResult: Awaited<ReturnType<Client['callTool']>>;
  try {
    toolResult = await client.callTool({
      name: 'run_sealed',
      arguments: {
        id: attack.commandId ?? 'attack',
        ...(attack.args === undefined ? {} : { args: attack.args }),
      },
    });
  } finally {
    await client.close();
  }
  const text = (toolResult.content as { type: string; text?: string }[])
    .map((item) => item.text ?? '')
    .join('\n');
  const code = /\[([A-Z_]+)\]$/.exec(text)?.[1];
  return {
    frontend: 'mcp',
    ...(toolResult.isError === true
      ? { refusal: { ...(code === undefined ? {} : { code }), message: text } }
      : { result: fromRunOutput(toolResult.structuredContent as Record<string, unknown>) }),
    ...(await collectExposure(prepared, [
      { label: 'tool result', text: JSON.stringify(toolResult) },
      { label: 'server stderr', text: serverStderr },
    ])),
    project,
    context: prepared.context,
  };
}

/** `::name::data` workflow commands the runner would obey, skipping fenced regions. */
function workflowCommands(stdout: string): { name: string; data: string }[] {
  const found: { name: string; data: string }[] = [];
  let stop: string | undefined;
  for (const line of stdout.split('\n')) {
    if (stop !== undefined) {
      if (line === `::${stop}::`) stop = undefined;
      continue;
    }
    const match = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (match === null) continue;
    if (match[1] === 'stop-commands') stop = match[2];
    else found.push({ name: match[1] as string, data: match[2] as string });
  }
  return found;
}

function githubOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      outputs[heredoc[1] as string] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/** Runs a prepared case through the bundled GitHub Action as a runner would (`INPUT_*` variables, pinned trust). */
export async function runThroughAction(prepared: PreparedCase): Promise<Outcome> {
  const { attack, project } = prepared;
  const runner = await mkdtemp(join(tmpdir(), 'ironrun-attack-runner-'));
  try {
    const outputFile = join(runner, 'output');
    const summaryFile = join(runner, 'summary');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const inputs: Record<string, string> = {
      command: attack.commandId ?? 'attack',
      policy: 'ironrun.yml',
      args: attack.args === undefined ? '' : JSON.stringify(attack.args),
      trust: 'pinned',
      'trust-dir': project.configDir,
      envfile: dotenv(testSecrets),
      'doppler-token': '',
      'infisical-client-id': '',
      'infisical-client-secret': '',
      'op-service-account-token': '',
    };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? runner,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: project.dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runner,
      ...prepared.callerEnv,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    const run = await runProcess(process.execPath, [actionPath], { cwd: project.dir, env });
    const outputs = githubOutputs(await readFile(outputFile, 'utf8'));
    const summary = await readFile(summaryFile, 'utf8');
    const commands = workflowCommands(run.stdout);
    // ::add-mask:: lines carry values on purpose: the runner consumes them and never shows them.
    const log = run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    const errors = commands
      .filter((command) => command.name === 'error')
      .map((command) => command.data);
    const ranCommand = outputs['exit-code'] !== undefined || outputs['timed-out'] !== undefined;
    return {
      frontend: 'action',
      ...(ranCommand
        ? {
            result: {
              exitCode:
                outputs['exit-code'] === '' || outputs['exit-code'] === undefined
                  ? null
                  : Number(outputs['exit-code']),
              stdout: log,
              stderr: run.stderr,
              timedOut: outputs['timed-out'] === 'true',
              truncated: false,
              redactions: Number(outputs.redactions ?? 0),
            },
          }
        : { refusal: { message: errors.join('\n') || run.stderr || `exit ${run.code}` } }),
      ...(await collectExposure(prepared, [
        { label: 'action log', text: log },
        { label: 'action stderr', text: run.stderr },
        { label: 'action outputs', text: JSON.stringify(outputs) },
        { label: 'job summary', text: summary },
      ])),
      project,
      context: prepared.context,
    };
  } finally {
    await rm(runner, { recursive: true, force: true });
  }
}
