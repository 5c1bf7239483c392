import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The repository root, which is the action as `uses: <owner>/ironrun@<ref>`
 * checks it out: action.yml there names the bundle in `runs.main`.
 */
export const repositoryAction = resolve(import.meta.dirname, '../../..');

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
  /** What it appended to `$GITHUB_ENV` (variables for later steps). */
  githubEnv: string;
  /** What it appended to `$GITHUB_PATH` and `$GITHUB_STATE`. */
  githubPath: string;
  githubState: string;
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
  /**
   * The folder of the action as the runner downloaded it (action.yml and
   * what its `runs.main` names); `node <action>/<runs.main>` is started.
   * @default the repository root, whose runs.main is the freshly built dist/
   */
  action?: string;
  /** The step's `env:` (added last, as the runner does). */
  env?: Record<string, string>;
  /**
   * The runner's own folder, holding `_temp` (`RUNNER_TEMP`) and the file
   * commands' files; a fresh temporary folder, removed afterwards, if not given.
   */
  runnerDir?: string;
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

/** What the runner reads of an action's action.yml to start it. */
export interface ActionMetadata {
  /** Every input's default, by name (the runner passes these for inputs not given). */
  defaults: Record<string, string>;
  /** `runs.using`, e.g. `node24`. */
  using: string;
  /** `runs.main`, resolved against the action's folder. */
  main: string;
}

/** Reads `<action>/action.yml` as the runner does before a step. */
export async function readActionMetadata(action: string): Promise<ActionMetadata> {
  const metadata = parse(await readFile(join(action, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
    runs: { using: string; main: string };
  };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.default !== undefined) defaults[name] = String(input.default);
  }
  return { defaults, using: metadata.runs.using, main: resolve(action, metadata.runs.main) };
}

/**
 * The variables a GitHub runner gives a JavaScript action's process besides
 * its inputs: the file commands (`GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`,
 * `GITHUB_STATE`, `GITHUB_STEP_SUMMARY`, each a fresh file per step), the
 * runner's folders and facts, the run's context, and the runtime tokens a
 * hosted runner hands every action (fake values here), which the action must
 * keep from the command.
 */
export function runnerEnvironment(runner: string, workspace: string): Record<string, string> {
  const file = (name: string) => join(runner, '_runner_file_commands', name);
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? runner,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: file('set_output'),
    GITHUB_ENV: file('set_env'),
    GITHUB_PATH: file('add_path'),
    GITHUB_STATE: file('save_state'),
    GITHUB_STEP_SUMMARY: file('step_summary'),
    GITHUB_ACTION: '__ironrun_ironrun',
    GITHUB_ACTION_REPOSITORY: 'ironrun/ironrun',
    GITHUB_ACTION_REF: 'v1',
    GITHUB_REPOSITORY: 'example/example',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: join(runner, '_github_workflow', 'event.json'),
    GITHUB_JOB: 'deploy',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: join(runner, '_temp'),
    RUNNER_TOOL_CACHE: join(runner, '_tool'),
    RUNNER_WORKSPACE: dirname(workspace),
    ACTIONS_RUNTIME_URL: 'http://127.0.0.1:9/runtime/',
    ACTIONS_RUNTIME_TOKEN: 'runtime-token-the-command-must-not-see',
    ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/results/',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/idtoken',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-token-the-command-must-not-see',
  };
}

/**
 * Runs an action the way a GitHub runner does: `node <runs.main>` from
 * `<action>/action.yml`, in the workspace, with its inputs (and the
 * defaults of action.yml) as `INPUT_*` variables, the file commands as fresh
 * files, `RUNNER_TEMP` a fresh folder, the runner's variables
 * ({@link runnerEnvironment}) and the step's `env:`.
 */
export async function runBundledAction(
  options: RunBundledActionOptions,
): Promise<BundledActionRun> {
  const runner = options.runnerDir ?? (await mkdtemp(join(tmpdir(), 'ironrun-runner-')));
  try {
    const env: Record<string, string> = runnerEnvironment(runner, options.cwd);
    for (const dir of ['_temp', '_tool', '_runner_file_commands', '_github_workflow']) {
      await mkdir(join(runner, dir), { recursive: true });
    }
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE']) {
      await writeFile(env[name] as string, '');
    }
    await writeFile(env.GITHUB_STEP_SUMMARY as string, '');
    await writeFile(env.GITHUB_EVENT_PATH as string, '{}\n');
    Object.assign(env, options.env);
    const metadata = await readActionMetadata(options.action ?? repositoryAction);
    if (!/^node\d+$/.test(metadata.using)) {
      throw new Error(`runs.using is ${metadata.using}, not a node runtime`);
    }
    for (const [name, value] of Object.entries({ ...metadata.defaults, ...options.inputs })) {
      env[inputVariable(name)] = value;
    }
    const child = spawn(process.execPath, [metadata.main], {
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
      outputs: parseGithubOutput(await readFile(env.GITHUB_OUTPUT as string, 'utf8')),
      summary: await readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8'),
      githubEnv: await readFile(env.GITHUB_ENV as string, 'utf8'),
      githubPath: await readFile(env.GITHUB_PATH as string, 'utf8'),
      githubState: await readFile(env.GITHUB_STATE as string, 'utf8'),
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
    if (options.runnerDir === undefined) await rm(runner, { recursive: true, force: true });
  }
}
