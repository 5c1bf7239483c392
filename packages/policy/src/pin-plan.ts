// `fs.promises` looked up at each call: planning runs when a person trusts a policy, not on a
// run, and `ironrun run`'s bundle (which holds this file) then never loads node:fs/promises.
import { constants, promises as fs } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Policy, PolicyCommand } from './policy.js';
import { hasPathSeparator, isInsideDir } from './project-path.js';
import { isInsideRealDir, realPathOf } from './real-containment.js';
import { writeFolderProblem } from './write-folder.js';

/** Why a path is pinned. */
export type PinReason =
  | 'pin'
  | 'allow'
  | 'folder'
  | 'program'
  | 'program-real'
  | 'program-link'
  | 'program-shadow'
  | 'venv'
  | 'venv-config'
  | 'argument'
  | 'option-value'
  | 'script'
  | 'script-candidate'
  | 'package-json'
  | 'preload'
  | 'env-file'
  | 'python-path'
  | 'python-module'
  | 'pin-part'
  | 'tool-config'
  | 'write'
  | 'path-folder';

/** One path trust records, with every command and reason that pins it. */
export interface PlannedPin {
  /** The absolute path. */
  path: string;
  /**
   * `file`: its state (content hash, symlink, absence); `listing`: what
   * python can import from the folder; `part`: one part of the file (`part`);
   * `programs`: every name in a `path:` folder and the state of each.
   */
  kind: 'file' | 'listing' | 'part' | 'programs';
  /** For `kind: 'part'`: the dotted key path or Makefile target. */
  part?: string;
  /** Which commands pin it and why. */
  reasons: { command: string; reason: PinReason }[];
}

/**
 * The key of a pin: its path for a whole file, with the kind (and part) for
 * a listing or a part, so a part pin and a whole-file pin of one file stay
 * apart. Trust records list each command's pins by these keys.
 */
export function plannedPinKey(pin: {
  path: string;
  kind: string;
  part?: string | undefined;
}): string {
  if (pin.kind === 'listing') return `listing\0${pin.path}`;
  if (pin.kind === 'programs') return `programs\0${pin.path}`;
  if (pin.kind === 'part') return `part\0${pin.path}\0${pin.part ?? ''}`;
  return pin.path;
}

/** Something trust cannot pin precisely, for the review to show. */
export interface PinNote {
  /** The command id. */
  command: string;
  /** What it is about (an argv word, an option), as written. */
  subject: string;
  /** Why it is not pinned precisely, and what a person can do. */
  reason: string;
}

/** What {@link planPins} found. */
export interface PinPlan {
  /** Every path to record, sorted by path. */
  pins: PlannedPin[];
  /** What could not be pinned precisely. */
  notes: PinNote[];
  /** Real-path containment failures: trust refuses the policy while any is present. */
  problems: PinNote[];
  /**
   * Command id → the real path its `argv[0]` resolved to, for a program
   * named through links (a project venv's `.venv/bin/python3`): the run
   * must resolve it to the same file, and executes that file.
   */
  programs: Record<string, string>;
}

/**
 * The fixed PATH bare programs are looked up in when a command has no
 * `path:`; must equal `defaultSafePath()` of `@ironrun/sandbox` (policy does
 * not depend on the sandbox).
 */
export function defaultProgramPath(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin'
    ? '/usr/local/bin:/usr/bin:/bin:/opt/homebrew/bin'
    : '/usr/local/bin:/usr/bin:/bin';
}

const nodeValueOptions = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '--env-file',
  '--env-file-if-exists',
  '-e',
  '--eval',
  '-p',
  '--print',
  '-C',
  '--conditions',
  '--input-type',
  '--title',
  '--openssl-config',
  '--snapshot-blob',
  '--experimental-config-file',
  '--redirect-warnings',
  '--report-dir',
  '--diagnostic-dir',
  '--icu-data-dir',
  '--watch-path',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--disable-warning',
  '--run',
  '--inspect-port',
  '--unhandled-rejections',
  '--stack-size',
]);
const nodeExtensions = ['.js', '.json', '.node', '.mjs', '.cjs'];

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await fs.stat(path)).isFile()) return false;
    await fs.access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function existsAsFile(path: string): Promise<boolean> {
  const info = await fs.lstat(path).catch(() => undefined);
  return info !== undefined && (info.isFile() || info.isSymbolicLink());
}

function isRelativeSpecifier(text: string): boolean {
  return (
    text === '.' ||
    text === '..' ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    isAbsolute(text)
  );
}

class CommandPins {
  constructor(
    readonly policy: Policy,
    readonly command: PolicyCommand,
    readonly plan: Map<string, PlannedPin>,
    readonly notes: PinNote[],
    readonly problems: PinNote[],
    readonly programs: Record<string, string>,
  ) {}

  add(path: string, reason: PinReason, kind: 'file' | 'listing' | 'programs' = 'file'): void {
    this.addPin({ path, kind }, reason);
  }

  addPart(path: string, part: string): void {
    this.addPin({ path, kind: 'part', part }, 'pin-part');
  }

  private addPin(target: Omit<PlannedPin, 'reasons'>, reason: PinReason): void {
    const key = plannedPinKey(target);
    let pin = this.plan.get(key);
    if (pin === undefined) {
      pin = { ...target, reasons: [] };
      this.plan.set(key, pin);
    }
    if (!pin.reasons.some((r) => r.command === this.command.id && r.reason === reason))
      pin.reasons.push({ command: this.command.id, reason });
  }

  note(subject: string, reason: string): void {
    this.notes.push({ command: this.command.id, subject, reason });
  }

  problem(subject: string, reason: string): void {
    this.problems.push({ command: this.command.id, subject, reason });
  }

  /** An argv word (or option value) naming a path in the project: a path by its shape, or a file that exists now. */
  async word(word: string, reason: PinReason): Promise<void> {
    if (word === '' || word.includes('://') || word.includes('\0')) return;
    const absolute = resolve(this.command.cwd, word);
    if (absolute === this.policy.dir || absolute === this.policy.path) return;
    const inside =
      isInsideDir(this.policy.dir, absolute) || (await isInsideRealDir(this.policy.dir, absolute));
    if (!inside) return;
    if (hasPathSeparator(word) || (await existsAsFile(absolute))) this.add(absolute, reason);
  }

  /** Generic arguments: positional words, `--opt=FILE` and `-xFILE` values. */
  async words(words: readonly string[]): Promise<void> {
    for (const word of words) {
      if (!word.startsWith('-') || word === '-') {
        await this.word(word, 'argument');
        continue;
      }
      const equals = word.indexOf('=');
      if (word.startsWith('--') && equals > 2) {
        await this.word(word.slice(equals + 1), 'option-value');
      } else if (!word.startsWith('--') && word.length > 2) {
        // `-rFILE`: pinned only when the rest is a path or an existing file.
        await this.word(word.slice(2), 'option-value');
        if (equals > 1) await this.word(word.slice(equals + 1), 'option-value');
      }
      // `--opt FILE`: the next word is handled as a positional word.
    }
  }

  /** The program: where it is found on the path, its real path, and every earlier folder's absence. */
  async program(): Promise<void> {
    const name = this.command.argv[0]!;
    let located: string | undefined;
    if (hasPathSeparator(name)) {
      located = resolve(this.command.cwd, name);
      const venv = isAbsolute(name) ? undefined : await venvOfInterpreter(located);
      if (venv !== undefined) {
        await this.venvInterpreter(name, located, venv);
        return;
      }
      if (!isAbsolute(name) && !(await isInsideRealDir(this.policy.dir, located)))
        this.problem(name, 'the program really lies outside the project (a symlink leads out)');
    } else {
      const path = this.command.path ?? defaultProgramPath();
      const defaults = defaultProgramPath().split(delimiter);
      for (const dir of path.split(delimiter)) {
        if (this.command.path !== undefined) {
          this.add(dir, 'folder');
          // A toolchain folder (under home, where the person and the agent write):
          // every program in it, and the names there, so that swapping one or adding
          // one that shadows a later folder (a `sh` before /bin) needs a new trust.
          if (!defaults.includes(dir)) this.add(dir, 'path-folder', 'programs');
          if (await isInsideRealDir(this.policy.dir, dir))
            this.problem(
              dir,
              'this path: folder really lies inside the project, where the agent writes',
            );
        }
        const candidate = join(dir, name);
        if (await isExecutableFile(candidate)) {
          located = candidate;
          break;
        }
        this.add(candidate, 'program-shadow');
      }
      if (located === undefined) {
        this.note(
          name,
          `not found in ${path}; its absence in each folder is pinned, so installing it later needs a new trust`,
        );
      }
    }
    if (located === undefined) return;
    this.add(located, 'program');
    const real = await fs.realpath(located).catch(() => undefined);
    if (real !== undefined && real !== located) this.add(real, 'program-real');
  }

  /**
   * A project venv's interpreter (`.venv/bin/python3`): a chain of links the
   * agent can rewrite, leading to a python outside the project. Pinned: the
   * venv and `bin` folders, every link of the chain, the real program (which
   * must lie outside the project) and its folder's programs when that is a
   * toolchain folder, `pyvenv.cfg` (whose `home` must lie outside the
   * project) and the absence of `bin/pyvenv.cfg`, which python reads first.
   * The real path is recorded for the run ({@link PinPlan.programs}).
   */
  async venvInterpreter(name: string, located: string, venv: string): Promise<void> {
    const bin = dirname(located);
    for (const dir of [venv, bin]) {
      const info = await fs.lstat(dir).catch(() => undefined);
      if (info?.isDirectory() !== true) {
        this.problem(
          name,
          `${dir} is not a plain folder (a symlink or missing), so the venv could be anywhere`,
        );
        return;
      }
      this.add(dir, 'venv');
    }
    if (!(await isInsideRealDir(this.policy.dir, venv))) {
      this.problem(name, 'the venv really lies outside the project (a symlink leads out)');
      return;
    }
    let link = located;
    for (let hop = 0; ; hop++) {
      this.add(link, hop === 0 ? 'program' : 'program-link');
      const info = await fs.lstat(link).catch(() => undefined);
      if (info === undefined || !info.isSymbolicLink()) break;
      if (hop === 40) {
        this.problem(name, 'too many symlinks');
        return;
      }
      link = resolve(dirname(link), await fs.readlink(link));
    }
    const real = await fs.realpath(located).catch(() => undefined);
    if (real === undefined) {
      this.note(name, 'the venv interpreter does not exist now; it is pinned absent');
      return;
    }
    this.add(real, 'program-real');
    if (isInsideDir(this.policy.dir, real) || (await isInsideRealDir(this.policy.dir, real))) {
      this.problem(
        name,
        `the venv interpreter is ${real}, a file inside the project, which the agent can write; make the venv with links to a python outside the project (python3 -m venv without --copies, uv venv, poetry)`,
      );
      return;
    }
    if (!defaultProgramPath().split(delimiter).includes(dirname(real)))
      this.add(dirname(real), 'path-folder', 'programs');
    this.add(join(bin, 'pyvenv.cfg'), 'venv-config');
    const config = join(venv, 'pyvenv.cfg');
    this.add(config, 'venv-config');
    const home = venvHome(await fs.readFile(config, 'utf8').catch(() => ''));
    if (home === undefined || !isAbsolute(home)) {
      this.problem(
        name,
        `${config} names no single absolute home (the folder of the python the venv was made from)`,
      );
      return;
    }
    if (isInsideDir(this.policy.dir, home) || (await isInsideRealDir(this.policy.dir, home))) {
      this.problem(
        name,
        `${config} has home = ${home}, inside the project: python would load its standard library from where the agent writes`,
      );
      return;
    }
    this.programs[this.command.id] = real;
    this.note(
      name,
      `a venv inside the project: its site-packages (${join(venv, 'lib')}: the packages, .pth files and sitecustomize that python runs at start-up) are not pinned, and the agent can change them, as with node_modules`,
    );
  }

  /**
   * Files a build tool reads on its own, which decide what it runs: the
   * makefile `make` picks before the one the policy pins (GNUmakefile, then
   * makefile, then Makefile), and the project `.npmrc` of npm, pnpm and yarn
   * (`node-options` there becomes NODE_OPTIONS for every script). Pinned
   * whole, absent ones too, so one the agent creates later counts.
   */
  async toolConfig(): Promise<void> {
    const name = basename(this.command.argv[0]!);
    const cwd = this.command.cwd;
    if (/^(?:g?make)$/.test(name)) {
      if (
        this.command.argv
          .slice(1)
          .some((word) => /^(?:-f|--file|--makefile)(?:=|$)|^-[^-]*f/.test(word))
      )
        return;
      for (const file of ['GNUmakefile', 'makefile', 'Makefile']) {
        const path = join(cwd, file);
        if (await existsAsFile(path)) return;
        this.add(path, 'tool-config');
      }
      return;
    }
    if (/^(?:npm|npx|pnpm|pnpx|yarn|corepack)$/.test(name)) {
      for (const dir of new Set([cwd, this.policy.dir]))
        this.add(join(dir, '.npmrc'), 'tool-config');
      this.note(
        name,
        'the user and global npmrc, pnpm-workspace.yaml settings and .yarnrc files are not pinned',
      );
    }
  }

  /** Node's resolution of a file path: the path, its extensions, and a folder's package.json main and index. */
  async nodeFile(base: string, first: PinReason, rest: PinReason): Promise<void> {
    this.add(base, first);
    for (const extension of nodeExtensions) this.add(`${base}${extension}`, rest);
    const manifest = join(base, 'package.json');
    this.add(manifest, rest);
    const main = await fs
      .readFile(manifest, 'utf8')
      .then((text) => (JSON.parse(text) as { main?: unknown }).main)
      .catch(() => undefined);
    if (typeof main === 'string' && main !== '') {
      const target = resolve(base, main);
      this.add(target, rest);
      for (const extension of nodeExtensions) this.add(`${target}${extension}`, rest);
      for (const extension of nodeExtensions) this.add(join(target, `index${extension}`), rest);
    }
    for (const extension of nodeExtensions) this.add(join(base, `index${extension}`), rest);
  }

  /** Every package.json from the script's folder up: its `type` and `imports` decide how the script loads. */
  packageJsonChain(from: string): void {
    for (let dir = from; ; dir = dirname(dir)) {
      this.add(join(dir, 'package.json'), 'package-json');
      if (dirname(dir) === dir) return;
    }
  }

  async preload(option: string, value: string): Promise<void> {
    const specifier = value.startsWith('file:') ? fileURLToPath(value) : value;
    if (isRelativeSpecifier(specifier)) {
      await this.nodeFile(resolve(this.command.cwd, specifier), 'preload', 'script-candidate');
      return;
    }
    const parts = specifier.split('/');
    const packageName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    this.add(join(this.command.cwd, 'node_modules', packageName, 'package.json'), 'preload');
    this.note(
      `${option} ${value}`,
      'a package resolved from node_modules folders: only its package.json in the working folder is pinned; list the files it loads under pin',
    );
  }

  async node(words: readonly string[]): Promise<void> {
    let index = 0;
    let evaluates = false;
    for (; index < words.length; index++) {
      const word = words[index]!;
      if (word === '--') {
        index++;
        break;
      }
      if (!word.startsWith('-') || word === '-') break;
      const equals = word.indexOf('=');
      const name = equals > 0 ? word.slice(0, equals) : word;
      const value =
        equals > 0
          ? word.slice(equals + 1)
          : nodeValueOptions.has(name)
            ? words[++index]
            : undefined;
      if (value === undefined) {
        if (name === '--test')
          this.note(word, 'node finds and runs test files itself; pin them under pin');
        continue;
      }
      if (['-r', '--require', '--import', '--loader', '--experimental-loader'].includes(name)) {
        await this.preload(name, value);
      } else if (name === '--env-file' || name === '--env-file-if-exists') {
        this.add(resolve(this.command.cwd, value), 'env-file');
      } else if (['-e', '--eval', '-p', '--print'].includes(name)) {
        evaluates = true;
      } else if (name === '--run') {
        this.add(join(this.command.cwd, 'package.json'), 'package-json');
        this.note(
          word,
          'runs a package.json script through a shell; the files it runs are not followed',
        );
      } else {
        await this.word(value, 'option-value');
      }
    }
    const rest = words.slice(index);
    if (evaluates) {
      this.note('--eval', 'code on the command line: the files it loads are not followed');
      await this.words(rest);
      return;
    }
    const script = rest[0];
    if (script === undefined || script === '-') return;
    const base = resolve(this.command.cwd, script);
    await this.nodeFile(base, 'script', 'script-candidate');
    this.packageJsonChain(dirname(base));
    this.note(script, 'the modules the script imports are not followed; list them under pin');
    await this.words(rest.slice(1));
  }

  async python(words: readonly string[]): Promise<void> {
    let index = 0;
    let safePath = false;
    let mode: 'script' | 'code' | 'module' = 'script';
    let operand: string | undefined;
    outer: for (; index < words.length; index++) {
      const word = words[index]!;
      if (word === '--') {
        index++;
        break;
      }
      if (!word.startsWith('-') || word === '-') break;
      if (word.startsWith('--')) {
        if (word === '--check-hash-based-pycs') index++;
        continue;
      }
      for (let at = 1; at < word.length; at++) {
        const flag = word[at]!;
        if (flag === 'I' || flag === 'P') safePath = true;
        if (flag === 'c' || flag === 'm') {
          mode = flag === 'c' ? 'code' : 'module';
          operand = at + 1 < word.length ? word.slice(at + 1) : words[++index];
          index++;
          break outer;
        }
        if (flag === 'W' || flag === 'X') {
          if (at + 1 === word.length) index++;
          break;
        }
      }
    }
    const cwd = this.command.cwd;
    if (mode === 'code') {
      if (!safePath) this.add(cwd, 'python-path', 'listing');
      this.note('-c', 'code on the command line: the modules it imports are not followed');
      await this.words(words.slice(index));
      return;
    }
    if (mode === 'module') {
      if (operand !== undefined && operand !== '') {
        if (!safePath) this.add(cwd, 'python-path', 'listing');
        const parts = operand.split('.');
        for (let depth = 1; depth < parts.length; depth++)
          this.add(join(cwd, ...parts.slice(0, depth), '__init__.py'), 'python-module');
        const leaf = join(cwd, ...parts);
        this.add(`${leaf}.py`, 'python-module');
        this.add(join(leaf, '__init__.py'), 'python-module');
        this.add(join(leaf, '__main__.py'), 'python-module');
        this.note(
          `-m ${operand}`,
          'pinned where the working folder provides it; found elsewhere (site-packages, the standard library) it is not pinned',
        );
      }
      await this.words(words.slice(index));
      return;
    }
    const script = words[index];
    if (script === undefined || script === '-') return;
    const base = resolve(cwd, script);
    this.add(base, 'script');
    const info = await fs.stat(base).catch(() => undefined);
    if (info?.isDirectory()) {
      this.add(join(base, '__main__.py'), 'script');
      if (!safePath) this.add(base, 'python-path', 'listing');
    } else if (!safePath) {
      // python puts the script's folder, symlinks resolved, first on sys.path.
      this.add(dirname(await realPathOf(base)), 'python-path', 'listing');
    }
    this.note(
      script,
      "modules imported from elsewhere (sub-packages, site-packages, the standard library) and bytecode in __pycache__ are not pinned; the script's own folder is",
    );
    await this.words(words.slice(index + 1));
  }

  async shell(words: readonly string[]): Promise<void> {
    let index = 0;
    for (; index < words.length; index++) {
      const word = words[index]!;
      if (word === '--') {
        index++;
        break;
      }
      if (!/^[-+]/.test(word) || word === '-') break;
      if (word === '-o' || word === '+o' || word === '--rcfile' || word === '--init-file') {
        index++;
        continue;
      }
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(word)) {
        this.note(
          word,
          'code on the command line: the commands and files it runs are not followed',
        );
        await this.words(words.slice(index + 2));
        return;
      }
    }
    const script = words[index];
    if (script === undefined) return;
    const base = resolve(this.command.cwd, script);
    this.add(base, 'script');
    if (!hasPathSeparator(script) && !(await existsAsFile(base)))
      this.note(script, 'not in the working folder: the shell would look it up on PATH');
    this.note(script, 'files the script sources or runs are not followed; declare them under pin');
    await this.words(words.slice(index + 1));
  }
}

/**
 * The venv folder of `program` when it names a venv's python as written:
 * `<venv>/bin/python…` with `<venv>/pyvenv.cfg` present.
 */
async function venvOfInterpreter(program: string): Promise<string | undefined> {
  if (interpreterOf(program) !== 'python' || basename(dirname(program)) !== 'bin') return undefined;
  const venv = dirname(dirname(program));
  const info = await fs.lstat(join(venv, 'pyvenv.cfg')).catch(() => undefined);
  return info === undefined ? undefined : venv;
}

/**
 * The `home` value of a `pyvenv.cfg` text, read as python reads it
 * (`key = value` lines, the key in any case); undefined when there is none,
 * or more than one (which one python takes is not for trust to guess).
 */
export function venvHome(text: string): string | undefined {
  const homes: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const equals = line.indexOf('=');
    if (equals !== -1 && line.slice(0, equals).trim().toLowerCase() === 'home')
      homes.push(line.slice(equals + 1).trim());
  }
  return homes.length === 1 ? homes[0] : undefined;
}

function interpreterOf(program: string): 'node' | 'python' | 'shell' | undefined {
  const name = basename(program);
  if (/^(?:node|nodejs)\d*$/.test(name)) return 'node';
  if (/^(?:python|pypy)\d*(?:\.\d+)*$/.test(name)) return 'python';
  if (/^(?:sh|bash|dash|zsh|ksh|mksh|ash)$/.test(name)) return 'shell';
  return undefined;
}

/**
 * Everything `trust` records for `policy`, read from the filesystem now:
 * the resolved program of every command wherever it is found (the path
 * folders before it, pinned absent), its real path, the files named by
 * arguments and inside options (`--opt=FILE`, `-xFILE`; a bare word only
 * when it exists as a file), what an interpreter loads for the argv (node's
 * extension, `package.json` main and index resolution, `--require`,
 * `--import`, `--loader`, `--env-file`; python's script, `-m` module and the
 * folder first on `sys.path`; a shell's script), `allow` and `pin` entries,
 * each command's `cwd`, `path:` and `write:` folders (a `write:` folder that
 * is missing, not a folder, or has a symlink in its path is a problem), and
 * for a project venv's python as `argv[0]` (`.venv/bin/python3`) its links,
 * real python, `pyvenv.cfg` and the real path for the run (`programs`).
 * `notes` says what could not be pinned precisely; `problems` lists
 * real-path containment failures.
 *
 * @example
 * const { pins, notes } = await planPins(await loadPolicy('ironrun.yml'));
 */
export async function planPins(policy: Policy): Promise<PinPlan> {
  const plan = new Map<string, PlannedPin>();
  const notes: PinNote[] = [];
  const problems: PinNote[] = [];
  const programs: Record<string, string> = {};
  for (const command of policy.commands) {
    const pins = new CommandPins(policy, command, plan, notes, problems, programs);
    if (!(await isInsideRealDir(policy.dir, command.cwd)))
      pins.problem(
        command.cwd,
        'the working folder really lies outside the project (a symlink leads out)',
      );
    if (command.cwd !== policy.dir) pins.add(command.cwd, 'folder');
    await pins.program();
    for (const entry of command.allow) {
      if (hasPathSeparator(entry) && !isAbsolute(entry)) {
        const target = resolve(command.cwd, entry);
        if (isInsideDir(policy.dir, target)) pins.add(target, 'allow');
      }
    }
    for (const folder of command.write ?? []) {
      const problem = await writeFolderProblem(folder);
      if (problem !== undefined) pins.problem(folder, `this write: folder ${problem}`);
      pins.add(folder, 'write');
    }
    for (const entry of command.pin) {
      const target = resolve(policy.dir, entry);
      if (target === policy.dir || target === policy.path) continue;
      if (!(await isInsideRealDir(policy.dir, target)))
        pins.problem(entry, 'this pin really lies outside the project (a symlink leads out)');
      pins.add(target, 'pin');
    }
    for (const entry of command.pinParts ?? []) {
      const target = resolve(policy.dir, entry.file);
      if (!(await isInsideRealDir(policy.dir, target)))
        pins.problem(entry.file, 'this pin really lies outside the project (a symlink leads out)');
      pins.addPart(target, entry.part);
    }
    await pins.toolConfig();
    const words = command.argv.slice(1);
    const kind = interpreterOf(command.argv[0]!);
    if (kind === 'node') await pins.node(words);
    else if (kind === 'python') await pins.python(words);
    else if (kind === 'shell') await pins.shell(words);
    else await pins.words(words);
  }
  const pins = [...plan.values()].sort((a, b) => {
    const x = plannedPinKey(a);
    const y = plannedPinKey(b);
    return a.path < b.path ? -1 : a.path > b.path ? 1 : x < y ? -1 : x > y ? 1 : 0;
  });
  return { pins, notes, problems, programs };
}
