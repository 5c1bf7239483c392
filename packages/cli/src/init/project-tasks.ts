import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { makeRecipe } from './shell-programs.js';
import {
  makeArgsRule,
  makeTestVariable,
  nodeTestRunner,
  type TestArgsRule,
  testArgsRule,
} from './test-args.js';

/** One task `init` found in the project, to become a policy command. */
export interface ProjectTask {
  /** The command id (`test`, `build`, ...). */
  readonly id: string;
  /** What it runs, exec'd without a shell. */
  readonly argv: readonly string[];
  /** Where the task is defined (relative to the project), pinned by trust. */
  readonly definedIn: string;
  /**
   * The part of `definedIn` the task depends on (a package.json script, a
   * Makefile target, a pyproject table), pinned alone so that editing the
   * rest of the file (dependencies, other targets) keeps it trusted.
   * @default undefined: the whole file is pinned
   */
  readonly pinPart?: string;
  /** A one-line description for agents. */
  readonly description: string;
  /**
   * The extra arguments an agent may append (a test command's files and
   * name filter), written as the command's `args:`.
   * @default undefined: none
   */
  readonly args?: TestArgsRule;
}

/** What `init` found in a project folder. */
export interface ProjectFacts {
  /** The ecosystems seen: `node`, `make`, `python`, `rust`, `go`. */
  readonly kinds: readonly string[];
  /** The tasks, at most one per id (first ecosystem wins). */
  readonly tasks: readonly ProjectTask[];
}

const taskNames = ['test', 'build', 'lint', 'typecheck', 'check', 'format'];

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function nodePackageManager(dir: string): string {
  if (existsSync(join(dir, 'pnpm-lock.yaml'))) return 'pnpm';
  if (existsSync(join(dir, 'yarn.lock'))) return 'yarn';
  if (existsSync(join(dir, 'bun.lockb')) || existsSync(join(dir, 'bun.lock'))) return 'bun';
  return 'npm';
}

function nodeTasks(dir: string): ProjectTask[] {
  const text = readText(join(dir, 'package.json'));
  if (text === undefined) return [];
  let scripts: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as { scripts?: Record<string, unknown> };
    scripts = parsed.scripts ?? {};
  } catch {
    return [];
  }
  const manager = nodePackageManager(dir);
  return taskNames
    .filter((name) => typeof scripts[name] === 'string')
    .map((name) => {
      const runner = name === 'test' ? nodeTestRunner(scripts[name] as string) : undefined;
      const task: ProjectTask = {
        id: name,
        // npm reads options after the script name as its own unless they follow `--`.
        argv: [manager, 'run', name, ...(runner !== undefined && manager === 'npm' ? ['--'] : [])],
        definedIn: 'package.json',
        pinPart: `scripts.${name}`,
        description: `${manager} run ${name} (package.json script)`,
      };
      return runner === undefined ? task : { ...task, args: testArgsRule(runner) };
    });
}

function makeTasks(dir: string): ProjectTask[] {
  const file = ['Makefile', 'makefile', 'GNUmakefile'].find((name) => existsSync(join(dir, name)));
  if (file === undefined) return [];
  const text = readText(join(dir, file)) ?? '';
  const targets = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:(?!=)/.exec(line);
    if (match?.[1] !== undefined) targets.add(match[1]);
  }
  const aliases: Record<string, string> = { fmt: 'format', vet: 'check' };
  const tasks: ProjectTask[] = [];
  for (const target of targets) {
    const id = taskNames.includes(target) ? target : aliases[target];
    if (id === undefined) continue;
    const task: ProjectTask = {
      id,
      argv: ['make', target],
      definedIn: file,
      pinPart: target,
      description: `make ${target} (${file} target)`,
    };
    // A test target that hands $(TESTS) (or the like) to its runner takes TESTS=<path>.
    const variable = id === 'test' ? makeTestVariable(text, makeRecipe(text, target)) : undefined;
    tasks.push(variable === undefined ? task : { ...task, args: makeArgsRule(variable) });
  }
  return tasks;
}

/**
 * The python of the project's own venv, as written in argv
 * (`.venv/bin/python3`): a `.venv` (or `venv`) folder with a `pyvenv.cfg`
 * and a `bin/python3`, as uv, poetry with in-project venvs and
 * `python3 -m venv .venv` make it. Trust pins it with the python it links
 * to (a `path:` may not name a folder inside the project).
 */
export function projectVenvPython(dir: string): string | undefined {
  for (const name of ['.venv', 'venv'])
    if (existsSync(join(dir, name, 'pyvenv.cfg')) && existsSync(join(dir, name, 'bin', 'python3')))
      return `${name}/bin/python3`;
  return undefined;
}

function pythonTasks(dir: string): ProjectTask[] {
  const text = readText(join(dir, 'pyproject.toml'));
  if (text === undefined) return [];
  let tool: Record<string, unknown> = {};
  try {
    tool = ((parseToml(text) as { tool?: Record<string, unknown> }).tool ?? {}) as Record<
      string,
      unknown
    >;
  } catch {
    // an unreadable pyproject still says "python"
  }
  // The project's venv runs its tools as modules (`python3 -m ruff`): its console
  // scripts are files in the project whose #! line names the venv's python.
  const venv = projectVenvPython(dir);
  const viaVenv = (name: string, args: string[]): string[] =>
    venv === undefined ? [name, ...args] : [venv, '-m', name, ...args];
  const tasks: ProjectTask[] = [
    {
      id: 'test',
      argv: [venv ?? 'python3', '-m', 'pytest'],
      definedIn: 'pyproject.toml',
      pinPart: 'tool.pytest',
      description: 'pytest',
      args: testArgsRule('pytest'),
    },
  ];
  if ('ruff' in tool) {
    tasks.push({
      id: 'lint',
      argv: viaVenv('ruff', ['check', '.']),
      definedIn: 'pyproject.toml',
      pinPart: 'tool.ruff',
      description: 'ruff check',
    });
  }
  if ('mypy' in tool) {
    tasks.push({
      id: 'typecheck',
      argv: viaVenv('mypy', ['.']),
      definedIn: 'pyproject.toml',
      pinPart: 'tool.mypy',
      description: 'mypy',
    });
  }
  return tasks;
}

function rustTasks(dir: string): ProjectTask[] {
  if (!existsSync(join(dir, 'Cargo.toml'))) return [];
  const task = (id: string, args: string[], description: string): ProjectTask => ({
    id,
    argv: ['cargo', ...args],
    definedIn: 'Cargo.toml',
    description,
  });
  return [
    { ...task('test', ['test'], 'cargo test'), args: testArgsRule('cargo') },
    task('build', ['build'], 'cargo build'),
    task('lint', ['clippy', '--', '-D', 'warnings'], 'cargo clippy'),
  ];
}

function goTasks(dir: string): ProjectTask[] {
  if (!existsSync(join(dir, 'go.mod'))) return [];
  const task = (id: string, args: string[]): ProjectTask => ({
    id,
    argv: ['go', ...args],
    definedIn: 'go.mod',
    description: `go ${args.join(' ')}`,
  });
  return [
    { ...task('test', ['test', './...']), args: testArgsRule('go') },
    task('build', ['build', './...']),
    task('check', ['vet', './...']),
  ];
}

/**
 * Reads a project folder for its test/build/lint tasks: `package.json`
 * scripts, `Makefile` targets, `pyproject.toml`, `Cargo.toml`, `go.mod`.
 */
export function detectProject(dir: string): ProjectFacts {
  const sources: [string, ProjectTask[]][] = [
    ['node', nodeTasks(dir)],
    ['make', makeTasks(dir)],
    ['python', pythonTasks(dir)],
    ['rust', rustTasks(dir)],
    ['go', goTasks(dir)],
  ];
  const kinds: string[] = [];
  const tasks = new Map<string, ProjectTask>();
  for (const [kind, found] of sources) {
    const seen =
      found.length > 0 ||
      (kind === 'node' && existsSync(join(dir, 'package.json'))) ||
      (kind === 'python' && existsSync(join(dir, 'pyproject.toml')));
    if (seen) kinds.push(kind);
    for (const task of found) if (!tasks.has(task.id)) tasks.set(task.id, task);
  }
  return { kinds, tasks: [...tasks.values()] };
}
