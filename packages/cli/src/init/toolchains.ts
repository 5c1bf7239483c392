import { createHash } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { ProjectTask } from './project-tasks.js';
import { makeRecipe, shellPrograms } from './shell-programs.js';

/**
 * Where `init` looks for the person's toolchains: their project and the
 * environment of the shell `init` was started from (its `PATH`, `HOME` and
 * the managers' own variables). Nothing is run: shims and managers are
 * resolved by reading their version files and install folders.
 */
export interface ToolchainContext {
  /** The project folder. */
  readonly projectDir: string;
  /** The person's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The `PATH` the seal uses for a command without `path:` (core's `defaultProgramPath()`). */
  readonly defaultPath: string;
}

/** One program a command needs, and the toolchain folder the person's shell finds it in. */
export interface ToolchainProgram {
  /** The program name (`node`, `python3`, `cargo`). */
  readonly program: string;
  /** The absolute folder that holds it, outside the project. */
  readonly folder: string;
  /** Which toolchain put it there (`nvm`, `pyenv`, `venv`, `rustup`, …). */
  readonly toolchain: string;
}

/** What a command needs from the person's toolchains. */
export interface TaskToolchain {
  /**
   * The command's `path:`: the toolchain folders, then the default path.
   * @default undefined: the default path finds the same programs
   */
  readonly path?: string;
  /** Plain values the toolchain needs (a venv's `VIRTUAL_ENV`). */
  readonly env: Readonly<Record<string, string>>;
  /** The programs found outside the default path. */
  readonly found: readonly ToolchainProgram[];
  /** What could not be matched, for `init` to print. */
  readonly notes: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isInside(dir: string, path: string): boolean {
  const base = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  return path === dir || path.startsWith(base);
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The folders of a `PATH` value, absolute ones only (an empty or relative entry means the cwd). */
export function pathFolders(path: string | undefined): string[] {
  return (path ?? '').split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir));
}

/** The first folder of `folders` holding an executable `program`. */
export function findProgram(program: string, folders: readonly string[]): string | undefined {
  return folders.find((dir) => isExecutable(join(dir, program)));
}

function homeOf(env: Env): string {
  return env.HOME !== undefined && isAbsolute(env.HOME) ? env.HOME : homedir();
}

/** `dir` and its ancestors, nearest first. */
function upwards(dir: string): string[] {
  const dirs: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    dirs.push(current);
    if (dirname(current) === current) return dirs;
  }
}

/** The first line-or-space separated word of the nearest `name` file from `projectDir` up. */
function nearestVersionFile(projectDir: string, name: string): string | undefined {
  for (const dir of upwards(projectDir)) {
    const text = readText(join(dir, name));
    if (text === undefined) continue;
    const word = text
      .split(/\s+/)
      .map((item) => item.trim())
      .find((item) => item !== '' && !item.startsWith('#'));
    if (word !== undefined) return word;
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const x = a.replace(/^v/, '').split(/[.-]/);
  const y = b.replace(/^v/, '').split(/[.-]/);
  for (let index = 0; index < Math.max(x.length, y.length); index += 1) {
    const p = Number(x[index] ?? -1);
    const q = Number(y[index] ?? -1);
    if (Number.isNaN(p) || Number.isNaN(q)) {
      const c = (x[index] ?? '').localeCompare(y[index] ?? '');
      if (c !== 0) return c;
    } else if (p !== q) return p - q;
  }
  return 0;
}

/**
 * The installed version folder under `versionsDir` that `wanted` names: the
 * exact name (with or without a leading `v`), else the highest one it is a
 * prefix of (`20` → `v20.11.1`).
 */
export function matchInstalledVersion(versionsDir: string, wanted: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(versionsDir);
  } catch {
    return undefined;
  }
  const bare = wanted.replace(/^v/, '');
  const exact = names.find((name) => name === wanted || name.replace(/^v/, '') === bare);
  if (exact !== undefined) return join(versionsDir, exact);
  const prefixed = names
    .filter((name) => name.replace(/^v/, '').startsWith(`${bare}.`))
    .sort(compareVersions);
  const best = prefixed.at(-1);
  return best === undefined ? undefined : join(versionsDir, best);
}

/** The tool a program belongs to, as asdf and mise name plugins. */
function toolOf(program: string): string[] {
  if (/^(?:node|nodejs|npm|npx|corepack)$/.test(program)) return ['nodejs', 'node'];
  if (/^(?:python|python3(?:\.\d+)?|pip3?|pydoc3?)$/.test(program)) return ['python'];
  if (/^(?:ruby|gem|bundle|bundler|rake|irb)$/.test(program)) return ['ruby'];
  if (/^(?:go|gofmt)$/.test(program)) return ['golang', 'go'];
  if (/^(?:cargo|rustc|rustup|rustfmt|cargo-clippy)$/.test(program)) return ['rust'];
  if (/^(?:java|javac)$/.test(program)) return ['java'];
  if (program === 'gradle') return ['gradle'];
  if (program === 'mvn') return ['maven'];
  if (program === 'pnpm') return ['pnpm'];
  if (program === 'yarn') return ['yarn'];
  return [program];
}

/** A `*env`-style manager (pyenv, rbenv, nodenv, goenv): its shims and version files. */
interface EnvManager {
  readonly name: string;
  readonly rootVariable: string;
  readonly defaultRoot: string;
  readonly versionVariable: string;
  readonly versionFile: string;
}

const envManagers: readonly EnvManager[] = [
  {
    name: 'pyenv',
    rootVariable: 'PYENV_ROOT',
    defaultRoot: '.pyenv',
    versionVariable: 'PYENV_VERSION',
    versionFile: '.python-version',
  },
  {
    name: 'rbenv',
    rootVariable: 'RBENV_ROOT',
    defaultRoot: '.rbenv',
    versionVariable: 'RBENV_VERSION',
    versionFile: '.ruby-version',
  },
  {
    name: 'nodenv',
    rootVariable: 'NODENV_ROOT',
    defaultRoot: '.nodenv',
    versionVariable: 'NODENV_VERSION',
    versionFile: '.node-version',
  },
  {
    name: 'goenv',
    rootVariable: 'GOENV_ROOT',
    defaultRoot: '.goenv',
    versionVariable: 'GOENV_VERSION',
    versionFile: '.go-version',
  },
];

/** What one folder on the person's PATH is. */
type FolderReading =
  | { kind: 'found'; folder: string; toolchain: string }
  /** a shim of a manager whose version is the system one: look further down PATH */
  | { kind: 'system' }
  | { kind: 'unresolved'; note: string };

function envManagerVersions(manager: EnvManager, root: string, ctx: ToolchainContext): string[] {
  const fromEnv = ctx.env[manager.versionVariable];
  const word =
    fromEnv ??
    nearestVersionFile(ctx.projectDir, manager.versionFile) ??
    nearestVersionFile(root, 'version');
  if (word === undefined) return [];
  return word.split(':').filter((item) => item !== '');
}

/** A shim folder of pyenv, rbenv, nodenv or goenv, read through its version files. */
function readEnvManagerShim(
  folder: string,
  program: string,
  ctx: ToolchainContext,
): FolderReading | undefined {
  const home = homeOf(ctx.env);
  for (const manager of envManagers) {
    const root = ctx.env[manager.rootVariable] ?? join(home, manager.defaultRoot);
    if (folder !== join(root, 'shims')) continue;
    const versions = envManagerVersions(manager, root, ctx);
    for (const version of versions) {
      if (version === 'system') return { kind: 'system' };
      const installed = matchInstalledVersion(join(root, 'versions'), version);
      if (installed !== undefined && isExecutable(join(installed, 'bin', program)))
        return { kind: 'found', folder: join(installed, 'bin'), toolchain: manager.name };
    }
    return {
      kind: 'unresolved',
      note:
        versions.length === 0
          ? `${program} is a ${manager.name} shim, and no ${manager.versionFile} or ${manager.name} version file names a version`
          : `${program} is a ${manager.name} shim for ${versions.join(':')}, which has no ${program} installed under ${join(root, 'versions')}`,
    };
  }
  return undefined;
}

/** `.tool-versions` (asdf, mise): the version of `tools` nearest the project, then in home. */
function toolVersionsEntry(
  ctx: ToolchainContext,
  tools: readonly string[],
  extraFiles: readonly string[],
): string | undefined {
  const home = homeOf(ctx.env);
  for (const dir of [...upwards(ctx.projectDir), home]) {
    for (const file of extraFiles) {
      const text = readText(join(dir, file));
      if (text === undefined) continue;
      try {
        const parsed = parseToml(text) as { tools?: Record<string, unknown> };
        for (const tool of tools) {
          const value = parsed.tools?.[tool];
          const version = Array.isArray(value) ? value[0] : value;
          if (typeof version === 'string') return version;
          if (
            typeof version === 'object' &&
            version !== null &&
            typeof (version as { version?: unknown }).version === 'string'
          )
            return (version as { version: string }).version;
        }
      } catch {
        // an unreadable config names nothing
      }
    }
    const text = readText(join(dir, '.tool-versions'));
    if (text === undefined) continue;
    for (const line of text.split(/\r?\n/)) {
      const [tool, version] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (tool !== undefined && version !== undefined && tools.includes(tool)) return version;
    }
  }
  return undefined;
}

/** An asdf or mise shim folder, read through `.tool-versions` (and mise's `mise.toml`). */
function readPluginShim(
  folder: string,
  program: string,
  ctx: ToolchainContext,
): FolderReading | undefined {
  const home = homeOf(ctx.env);
  const xdgData = ctx.env.XDG_DATA_HOME ?? join(home, '.local', 'share');
  const managers = [
    {
      name: 'asdf',
      data: ctx.env.ASDF_DATA_DIR ?? join(home, '.asdf'),
      files: [] as string[],
    },
    {
      name: 'mise',
      data: ctx.env.MISE_DATA_DIR ?? join(xdgData, 'mise'),
      files: [
        'mise.toml',
        '.mise.toml',
        join('.config', 'mise.toml'),
        join('.config', 'mise', 'config.toml'),
      ],
    },
  ];
  for (const manager of managers) {
    if (folder !== join(manager.data, 'shims')) continue;
    const tools = toolOf(program);
    const fromEnv = tools
      .map((tool) => ctx.env[`${manager.name.toUpperCase()}_${tool.toUpperCase()}_VERSION`])
      .find((value) => value !== undefined);
    const version = fromEnv ?? toolVersionsEntry(ctx, tools, manager.files);
    if (version === 'system') return { kind: 'system' };
    if (version !== undefined) {
      for (const tool of tools) {
        const installed = matchInstalledVersion(join(manager.data, 'installs', tool), version);
        if (installed === undefined) continue;
        const bin = join(installed, 'bin');
        if (isExecutable(join(bin, program)))
          return { kind: 'found', folder: bin, toolchain: manager.name };
      }
    }
    return {
      kind: 'unresolved',
      note:
        version === undefined
          ? `${program} is a ${manager.name} shim, and no .tool-versions names a ${tools[0]} version`
          : `${program} is a ${manager.name} shim for ${tools[0]} ${version}, which is not installed under ${join(manager.data, 'installs')}`,
    };
  }
  return undefined;
}

/** Volta's shims (`$VOLTA_HOME/bin`), read through package.json's `volta` and the default platform. */
function readVoltaShim(
  folder: string,
  program: string,
  ctx: ToolchainContext,
): FolderReading | undefined {
  const volta = ctx.env.VOLTA_HOME ?? join(homeOf(ctx.env), '.volta');
  if (folder !== join(volta, 'bin')) return undefined;
  const tool = toolOf(program)[0] === 'nodejs' ? 'node' : toolOf(program)[0];
  let version: string | undefined;
  for (const dir of upwards(ctx.projectDir)) {
    const text = readText(join(dir, 'package.json'));
    if (text === undefined) continue;
    try {
      const pinned = (JSON.parse(text) as { volta?: Record<string, unknown> }).volta?.[tool ?? ''];
      if (typeof pinned === 'string') version = pinned;
    } catch {
      // not JSON
    }
    if (version !== undefined) break;
  }
  if (version === undefined) {
    try {
      const platform = JSON.parse(
        readText(join(volta, 'tools', 'user', 'platform.json')) ?? '{}',
      ) as Record<string, { runtime?: unknown; version?: unknown } | undefined>;
      const entry = platform[tool ?? ''];
      const value = entry?.runtime ?? entry?.version;
      if (typeof value === 'string') version = value;
    } catch {
      // no default platform
    }
  }
  if (version !== undefined) {
    const installed = matchInstalledVersion(join(volta, 'tools', 'image', tool ?? ''), version);
    if (installed !== undefined && isExecutable(join(installed, 'bin', program)))
      return { kind: 'found', folder: join(installed, 'bin'), toolchain: 'volta' };
  }
  return {
    kind: 'unresolved',
    note:
      version === undefined
        ? `${program} is a volta shim, and neither package.json "volta" nor volta's default names a ${tool} version`
        : `${program} is a volta shim for ${tool} ${version}, which is not under ${join(volta, 'tools', 'image')}`,
  };
}

/** The toolchain a plain (not shim) folder belongs to, by where it lies. */
function toolchainOfFolder(folder: string, env: Env): string {
  const home = homeOf(env);
  const parent = dirname(folder);
  if (readText(join(parent, 'pyvenv.cfg')) !== undefined) {
    if (folder.includes(`${sep}pypoetry${sep}virtualenvs${sep}`)) return 'poetry venv';
    return 'venv';
  }
  if (isDir(join(parent, 'conda-meta'))) return 'conda';
  const rules: [string | undefined, string][] = [
    [env.NVM_DIR ?? join(home, '.nvm'), 'nvm'],
    [env.FNM_DIR, 'fnm'],
    [join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'fnm'), 'fnm'],
    [join(home, '.fnm'), 'fnm'],
    [env.VOLTA_HOME ?? join(home, '.volta'), 'volta'],
    [join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'mise'), 'mise'],
    [env.ASDF_DATA_DIR ?? join(home, '.asdf'), 'asdf'],
    [env.PYENV_ROOT ?? join(home, '.pyenv'), 'pyenv'],
    [join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'uv'), 'uv'],
    [env.RBENV_ROOT ?? join(home, '.rbenv'), 'rbenv'],
    [join(home, '.rvm'), 'rvm'],
    [join(home, '.rubies'), 'chruby'],
    ['/opt/rubies', 'chruby'],
    [env.NODENV_ROOT ?? join(home, '.nodenv'), 'nodenv'],
    [env.GOENV_ROOT ?? join(home, '.goenv'), 'goenv'],
    [env.CARGO_HOME ?? join(home, '.cargo'), 'rustup'],
    [env.SDKMAN_DIR ?? join(home, '.sdkman'), 'SDKMAN'],
    [env.GOROOT, 'Go (GOROOT)'],
    [env.GOPATH ?? join(home, 'go'), 'Go (GOPATH)'],
    ['/usr/local/go', 'Go'],
    [env.CONDA_PREFIX, 'conda'],
  ];
  for (const [root, name] of rules) if (root !== undefined && isInside(root, folder)) return name;
  if (isInside(home, folder)) return 'a prefix in your home';
  return 'your PATH';
}

/** fnm's per-shell folders are symlinks to the install; the install folder outlives the shell. */
function stableFolder(folder: string): string {
  if (/fnm_multishells/.test(folder)) {
    const real = realOrSelf(folder);
    if (real !== folder) return real;
  }
  return folder;
}

function readFolder(folder: string, program: string, ctx: ToolchainContext): FolderReading {
  return (
    readEnvManagerShim(folder, program, ctx) ??
    readPluginShim(folder, program, ctx) ??
    readVoltaShim(folder, program, ctx) ?? {
      kind: 'found',
      folder: stableFolder(folder),
      toolchain: toolchainOfFolder(stableFolder(folder), ctx.env),
    }
  );
}

/**
 * Toolchains a project names without the person's shell showing them: a
 * venv in the project's `.venv`/`venv` (created by venv, uv, or poetry with
 * in-project venvs) is refused as a `path:` folder (the agent writes there),
 * so a program that is not named through it is reported (init names the
 * venv's python as argv[0] instead), as is a `uv.lock` or in-project
 * `poetry.lock` with no `.venv` yet; a poetry venv in poetry's cache and an
 * `.nvmrc` version installed by nvm are used.
 */
function projectToolchain(program: string, ctx: ToolchainContext): FolderReading | undefined {
  const tools = toolOf(program);
  const home = homeOf(ctx.env);
  if (tools.includes('python')) {
    const poetry = poetryVenv(ctx);
    if (poetry !== undefined && isExecutable(join(poetry, 'bin', program)))
      return { kind: 'found', folder: join(poetry, 'bin'), toolchain: 'poetry venv' };
    for (const name of ['.venv', 'venv']) {
      const venv = join(ctx.projectDir, name);
      if (readText(join(venv, 'pyvenv.cfg')) !== undefined)
        return {
          kind: 'unresolved',
          note: `${name}/ is a venv inside the project, which a path: may not name (the agent can write there); name its python as argv[0] instead (argv: [${name}/bin/python3, -m, ${program === 'python3' || program === 'python' ? '…' : program}]): trust pins it and the python it links to`,
        };
    }
    const inProject = /^\s*in-project\s*=\s*true\s*$/m.test(
      readText(join(ctx.projectDir, 'poetry.toml')) ?? '',
    );
    for (const [lock, make] of [
      ['uv.lock', 'uv sync'],
      ['poetry.lock', 'poetry install'],
    ] as const) {
      if ((lock === 'uv.lock' || inProject) && readText(join(ctx.projectDir, lock)) !== undefined)
        return {
          kind: 'unresolved',
          note: `${lock} is here but no .venv yet: run ${make} to make the project's .venv, then run init again (its python becomes argv[0])`,
        };
    }
  }
  if (tools.includes('nodejs')) {
    const wanted = nearestVersionFile(ctx.projectDir, '.nvmrc');
    if (wanted !== undefined) {
      const installed = matchInstalledVersion(
        join(ctx.env.NVM_DIR ?? join(home, '.nvm'), 'versions', 'node'),
        wanted,
      );
      if (installed !== undefined && isExecutable(join(installed, 'bin', program)))
        return { kind: 'found', folder: join(installed, 'bin'), toolchain: 'nvm (.nvmrc)' };
    }
  }
  return undefined;
}

/**
 * The folder of the venv poetry made for this project in its cache:
 * `<name>-<first 8 characters of the URL-safe base64 SHA-256 of the
 * project's real path>-py<X.Y>`, as poetry names them; only when exactly
 * one such folder exists.
 */
function poetryVenv(ctx: ToolchainContext): string | undefined {
  const text = readText(join(ctx.projectDir, 'pyproject.toml'));
  if (text === undefined) return undefined;
  let name: unknown;
  try {
    const parsed = parseToml(text) as {
      tool?: { poetry?: { name?: unknown } };
      project?: { name?: unknown };
    };
    if (parsed.tool?.poetry === undefined) return undefined;
    name = parsed.tool.poetry.name ?? parsed.project?.name;
  } catch {
    return undefined;
  }
  if (typeof name !== 'string') return undefined;
  const home = homeOf(ctx.env);
  const cache =
    ctx.env.POETRY_VIRTUALENVS_PATH ??
    join(
      ctx.env.POETRY_CACHE_DIR ?? join(ctx.env.XDG_CACHE_HOME ?? join(home, '.cache'), 'pypoetry'),
      'virtualenvs',
    );
  // poetry's package name is the canonical one (PEP 503), then sanitized
  const sanitized = name
    .toLowerCase()
    .replace(/[-_.]+/g, '-')
    .replace(/[ $`!*@"\\\r\n\t]/g, '_')
    .slice(0, 42);
  const hash = createHash('sha256')
    .update(realOrSelf(ctx.projectDir))
    .digest('base64url')
    .slice(0, 8);
  let names: string[];
  try {
    names = readdirSync(cache).filter((entry) => entry.startsWith(`${sanitized}-${hash}-py`));
  } catch {
    return undefined;
  }
  return names.length === 1 ? join(cache, names[0] as string) : undefined;
}

/**
 * Where the person's shell finds `program`, read from their PATH: a shim is
 * followed to the version it would run. `undefined` when the default path
 * finds it (or a project file names nothing better), else the folder or a note.
 */
export function locateProgram(
  program: string,
  ctx: ToolchainContext,
): ToolchainProgram | { note: string } | undefined {
  const defaults = new Set(pathFolders(ctx.defaultPath));
  const project = realOrSelf(ctx.projectDir);
  for (const folder of pathFolders(ctx.env.PATH)) {
    if (!isExecutable(join(folder, program))) continue;
    if (defaults.has(folder)) break;
    if (isInside(ctx.projectDir, folder) || isInside(project, realOrSelf(folder))) continue;
    const reading = readFolder(folder, program, ctx);
    if (reading.kind === 'system') continue;
    if (reading.kind === 'unresolved') return { note: reading.note };
    return { program, folder: reading.folder, toolchain: reading.toolchain };
  }
  const named = projectToolchain(program, ctx);
  if (named?.kind === 'found') return { program, folder: named.folder, toolchain: named.toolchain };
  if (named?.kind === 'unresolved') return { note: named.note };
  return undefined;
}

const nodeRunners = new Set(['npm', 'npx', 'pnpm', 'yarn', 'corepack']);

/**
 * The programs `task` starts that come from a toolchain: its `argv[0]`, the
 * node that a package manager runs, the programs of the package.json script
 * or Makefile recipe it runs (what the project provides itself, under
 * `node_modules/.bin`, is left out), and java for Gradle and Maven.
 */
export function taskPrograms(task: ProjectTask, projectDir: string): string[] {
  const programs: string[] = [];
  const add = (name: string): void => {
    if (name.includes('/')) {
      if (/(?:^|\/)(?:gradlew|mvnw)$/.test(name)) add('java');
      return;
    }
    if (!programs.includes(name)) programs.push(name);
    if (nodeRunners.has(name)) add('node');
    if (name === 'gradle' || name === 'mvn') add('java');
  };
  const program = task.argv[0];
  if (program === undefined) return programs;
  add(program);
  if (nodeRunners.has(program) && task.pinPart?.startsWith('scripts.')) {
    const name = task.pinPart.slice('scripts.'.length);
    try {
      const pkg = JSON.parse(readText(join(projectDir, task.definedIn)) ?? '{}') as {
        scripts?: Record<string, unknown>;
      };
      const script = pkg.scripts?.[name];
      if (typeof script === 'string')
        for (const used of shellPrograms(script))
          if (!isExecutable(join(projectDir, 'node_modules', '.bin', used))) add(used);
    } catch {
      // not JSON: the argv alone
    }
  }
  if (basename(program) === 'make' && task.argv[1] !== undefined) {
    const text = readText(join(projectDir, task.definedIn)) ?? '';
    for (const line of makeRecipe(text, task.argv[1]))
      for (const used of shellPrograms(line)) add(used);
  }
  return programs;
}

/**
 * The `path:` and plain `env:` a command needs so that the seal finds the
 * programs the person's shell finds: each program the task starts is
 * located on the person's PATH (shims followed through their version files,
 * fnm's per-shell folder to its install), then in what the project names
 * (poetry's venv, `.nvmrc`). Folders inside the project are never used (a
 * `path:` may not name them). A venv's folder brings its `VIRTUAL_ENV`.
 *
 * @example
 * detectTaskToolchain(task, { projectDir, env: process.env, defaultPath: '/usr/local/bin:/usr/bin:/bin' })
 * // { path: '/home/a/.nvm/versions/node/v22.1.0/bin:/usr/local/bin:/usr/bin:/bin', env: {}, … }
 */
export function detectTaskToolchain(task: ProjectTask, ctx: ToolchainContext): TaskToolchain {
  const found: ToolchainProgram[] = [];
  const notes: string[] = [];
  for (const program of taskPrograms(task, ctx.projectDir)) {
    const located = locateProgram(program, ctx);
    if (located === undefined) continue;
    if ('note' in located) notes.push(located.note);
    else found.push(located);
  }
  if (found.length === 0) return { env: {}, found, notes };
  const folders: string[] = [];
  for (const item of found) if (!folders.includes(item.folder)) folders.push(item.folder);
  const searched = [
    ...folders,
    ...pathFolders(ctx.defaultPath).filter((d) => !folders.includes(d)),
  ];
  for (const item of found) {
    const first = findProgram(item.program, searched);
    if (first !== item.folder)
      notes.push(
        `${item.program}: ${first} comes before ${item.folder} in the path written; reorder it by hand if needed`,
      );
  }
  const env: Record<string, string> = {};
  const venv = found.find((item) => item.toolchain.endsWith('venv'));
  if (venv !== undefined) env.VIRTUAL_ENV = dirname(venv.folder);
  return { path: searched.join(delimiter), env, found, notes };
}
