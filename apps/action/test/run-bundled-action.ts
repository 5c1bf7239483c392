import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The bundled action, as the runner starts it (`runs.main` of action.yml). */
export const bundlePath = resolve(import.meta.dirname, '../dist/index.js');
const actionYmlPath = resolve(import.meta.dirname, '../../../action.yml');

/** What the runner would have seen of one run of the action. */
export interface BundledActionRun {
  /** The action process's exit code. */
  exitCode: number | null;
  /** Everything it wrote to stdout, workflow commands included. */
  stdout: string;
  stderr: string;
  /** The outputs it wrote to `$GITHUB_OUTPUT`. */
  outputs: Record<string, string>;
  /** What it appended to `$GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** The values of the `::add-mask::` commands the runner would obey, unescaped. */
  masks: string[];
  /** The `::error::` messages the runner would obey. */
  errors: string[];
  /** stdout without the `::add-mask::` lines (the only place a value may legitimately appear) plus stderr. */
  log: string;
}

/** Options of {@link runBundledAction}. */
export interface RunBundledActionOptions {
  /** The `with:` inputs by name; action.yml's defaults fill the rest, as the runner does. */
  inputs: Record<string, string>;
  /** The workspace (the runner's working directory for the step). */
  cwd: string;
  /** The step's `env:`. */
  env?: Record<string, string>;
  /** Sends this signal to the action once its stdout contains `after` (a cancelled job). */
  kill?: { signal: NodeJS.Signals; after: string };
}

/** `INPUT_<NAME>` as the runner names it: upper case, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The runner's unescaping of a workflow command's data (`%25`, `%0D`, `%0A`). */
function unescapeCommandData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * The workflow commands the runner would obey in `stdout`: `::name::data`
 * lines (properties after the name ignored), except between
 * `::stop-commands::TOKEN` and `::TOKEN::`, as the runner processes them.
 */
export function obeyedCommands(stdout: string): { name: string; data: string }[] {
  const obeyed: { name: string; data: string }[] = [];
  let stopToken: string | undefined;
  for (const line of stdout.split('\n')) {
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (command === null) continue;
    const [, name, data] = command as unknown as [string, string, string];
    if (name === 'stop-commands') stopToken = data;
    else obeyed.push({ name, data: unescapeCommandData(data) });
  }
  return obeyed;
}

/**
 * Parses a `$GITHUB_OUTPUT` file: `name=value` lines and `name<<DELIMITER`
 * blocks ending at a line that is exactly the delimiter. Throws on anything
 * else, so a malformed file fails the test.
 */
export function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const end = lines.indexOf(delimiter, i + 1);
      if (end === -1) throw new Error(`GITHUB_OUTPUT: no closing delimiter for ${name}`);
      outputs[name] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`);
    outputs[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return outputs;
}

async function inputDefaults(): Promise<Record<string, string>> {
  const metadata = parse(await readFile(actionYmlPath, 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
  };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.default !== undefined) defaults[name] = String(input.default);
  }
  return defaults;
}

/**
 * Runs `node dist/index.js` the way a GitHub runner does: inputs (and the
 * defaults of action.yml) as `INPUT_*` variables, `GITHUB_OUTPUT` and
 * `GITHUB_STEP_SUMMARY` as fresh files, `RUNNER_TEMP` a fresh folder, a
 * minimal environment otherwise.
 */
export async function runBundledAction(
  options: RunBundledActionOptions,
): Promise<BundledActionRun> {
  const runner = await mkdtemp(join(tmpdir(), 'ironrun-runner-'));
  try {
    const outputFile = join(runner, 'output');
    const summaryFile = join(runner, 'summary');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? runner,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.cwd,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runner,
      ...options.env,
    };
    for (const [name, value] of Object.entries({ ...(await inputDefaults()), ...options.inputs })) {
      env[inputVariable(name)] = value;
    }
    const child = spawn(process.execPath, [bundlePath], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.kill !== undefined && !killed && stdout.includes(options.kill.after)) {
        killed = true;
        child.kill(options.kill.signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exitCode = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('close', (code) => done(code));
    });
    const commands = obeyedCommands(stdout);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseGithubOutput(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      masks: commands
        .filter((command) => command.name === 'add-mask')
        .map((command) => command.data),
      errors: commands.filter((command) => command.name === 'error').map((command) => command.data),
      log: `${stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n')}\n${stderr}`,
    };
  } finally {
    await rm(runner, { recursive: true, force: true });
  }
}
