import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isInsideDir } from '@ironrun/core/paths';
import {
  type PatternToken,
  patternCanMatch,
  programName,
  readShell,
  type ShellInvocation,
  type ShellWord,
} from './shell-invocations.js';

/** The part of Claude Code's `PreToolUse` hook input that `guard` reads. */
export interface HookInput {
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  cwd?: string;
}

/** A path the agent must not read or write, and what it is (for the reason text). */
export interface ProtectedPath {
  readonly path: string;
  readonly what: string;
  /** True for a folder: everything inside it is protected too. */
  readonly directory: boolean;
}

/** What `guard` knows about the project and the machine when it decides. */
export interface GuardRules {
  /** The folder relative paths in the command are read from. */
  readonly cwd: string;
  /** The user's home folder (for `~/` and `$HOME/` forms of protected paths). */
  readonly home: string;
  /** Vault command-line programs the agent must not call (`op`, `doppler`, `infisical`). */
  readonly vaultPrograms: readonly string[];
  /** The envfile(s) and the ironrun config folder (trust store). */
  readonly protectedPaths: readonly ProtectedPath[];
  /** Names of vault credential variables (never their values). */
  readonly credentialVariables: readonly string[];
  /**
   * Prefixes of vault credential variable names (`OP_SESSION_`), as the providers declare
   * them. @default []
   */
  readonly credentialPrefixes?: readonly string[];
  /** Which of those are set in the environment the agent's shell inherits. */
  readonly credentialsPresent: readonly string[];
  /** Policy commands that receive secrets: running them outside ironrun bypasses the seal. */
  readonly sealedCommands: readonly { readonly id: string; readonly argv: readonly string[] }[];
  /** The policy's folder (relative `argv[0]` paths are read from it). */
  readonly policyDir?: string;
  /**
   * Variables the agent's shell inherits, to expand `$NAME` in commands;
   * any variable not listed is unknown to the guard (and treated as any text).
   * @default {} (only `HOME` and `PWD` are known)
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What `guard` decided. `allow` means "no objection": Claude Code's own permission flow still applies. */
export type GuardDecision = { action: 'allow' } | { action: 'deny'; reason: string };

/** How a shell names the home folder, besides its path. */
const homePrefixes = ['~/', '$HOME/', '$' + '{HOME}/'];
const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox']);
const interpreters = new Set([
  ...shells,
  'node',
  'nodejs',
  'python',
  'python2',
  'python3',
  'pypy',
  'pypy3',
  'ruby',
  'perl',
  'php',
  'deno',
  'bun',
  'tsx',
  'ts-node',
  'lua',
  'Rscript',
  'R',
  'osascript',
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'jshell',
  'groovy',
  'tclsh',
  'expect',
]);
/** Interpreter options whose next word is program text. */
const inlineCodeFlags = new Set(['-c', '-e', '-E', '-p', '-r', '--eval', '--print', '-pe', '-ne']);
/** Programs that take no path or program from their arguments: a value the guard cannot know is harmless there. */
const dataOnly = new Set([
  'echo',
  'printf',
  'test',
  '[',
  '[[',
  ']]',
  'true',
  'false',
  ':',
  'sleep',
  'kill',
  'expr',
  'seq',
  'date',
  'basename',
  'dirname',
  'cd',
  'pushd',
  'popd',
  'pwd',
  'exit',
  'return',
  'shift',
  'set',
  'export',
  'local',
  'declare',
  'readonly',
  'typeset',
  'read',
  'wait',
  'let',
  'unset',
  'type',
  'which',
  'hash',
  'jobs',
  'ls',
  'stat',
]);
/** Programs that read a folder recursively when asked (`grep -r`, `tar`, `cp -r`), and how. */
const recursiveReaders: Record<string, (words: readonly string[]) => boolean> = {
  grep: (words) => words.some((word) => /^-[a-zA-Z]*[rR]/.test(word) || word === '--recursive'),
  egrep: (words) => words.some((word) => /^-[a-zA-Z]*[rR]/.test(word)),
  fgrep: (words) => words.some((word) => /^-[a-zA-Z]*[rR]/.test(word)),
  rgrep: () => true,
  rg: () => true,
  ag: () => true,
  ack: () => true,
  find: (words) => words.some((word) => /^-(exec|execdir|ok|okdir|fprint|fls)/.test(word)),
  tar: () => true,
  zip: () => true,
  '7z': () => true,
  rsync: () => true,
  scp: () => true,
  cp: (words) => words.some((word) => /^-[a-zA-Z]*[rRa]/.test(word) || word === '--recursive'),
  zstd: (words) => words.includes('-r'),
  gzip: (words) => words.some((word) => /^-[a-zA-Z]*r/.test(word)),
  chmod: (words) => words.some((word) => /^-[a-zA-Z]*R/.test(word)),
  chown: (words) => words.some((word) => /^-[a-zA-Z]*R/.test(word)),
  rm: (words) => words.some((word) => /^-[a-zA-Z]*[rR]/.test(word)),
  mv: () => true,
};
/** Package managers that run a `package.json` script by any of these spellings. */
const scriptRunners: Record<string, readonly (readonly string[])[]> = {
  npm: [['run'], ['run-script'], ['rum'], ['urn']],
  pnpm: [['run'], []],
  yarn: [['run'], []],
  bun: [['run']],
};
const envDumpers = new Set(['env', 'printenv', 'set', 'export', 'declare', 'typeset', 'compgen']);
const ptyWrappers = new Set([
  'script',
  'unbuffer',
  'expect',
  'socat',
  'empty',
  'ptyrun',
  'tmux',
  'screen',
]);
const fileTools = new Set([
  'Read',
  'Edit',
  'MultiEdit',
  'Write',
  'NotebookEdit',
  'Grep',
  'Glob',
  'LS',
]);
/** Text in inline code that turns encoded text back into names the guard would see. */
const decoders =
  /b64decode|atob|base64|fromCharCode|fromCodePoint|\bchr\s*\(|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\[0-7]{3}|unhexlify|fromhex|\.decode\s*\(|rot13|codecs|\[::-1\]|reverse\s*\(|\beval\b|\bexec\b|compile\s*\(|__import__|Buffer\.from|\bpack\s*\(|\bsprintf\b|String\.raw|replace\s*\(|\.join\s*\(|%c/;
/** Text in inline code that opens files, runs programs or reads the environment. */
const capabilities =
  /\bopen\b|read|\bfs\b|require|import|subprocess|\bos\b|system|spawn|exec|popen|File|\bIO\b|Path|glob|environ|process\.env|\bENV\b|`|getline|\bcat\b|\bsh\b|shell/;

const sealHint =
  'Secrets reach commands only through ironrun: call the run_sealed MCP tool (or `ironrun run <id>`) with one of the ids from list_commands.';

function deny(reason: string): GuardDecision {
  return { action: 'deny', reason: `ironrun guard: ${reason} ${sealHint}` };
}

function isInside(path: string, target: ProtectedPath): boolean {
  return path === target.path || (target.directory && isInsideDir(target.path, path));
}

function isAncestor(path: string, target: string): boolean {
  return isInsideDir(path, target);
}

/** The nearest folder at or above `cwd` that holds `.git`. */
function gitTopLevel(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The real path of `path` when it exists, else `path`. */
function realOrSelf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** {@link spellings} already worked out, per rules object (one hook call asks for each path many times). */
const spelled = new WeakMap<GuardRules, Map<string, readonly string[]>>();

/** The spellings of `path` a shell command might use. */
function spellings(path: string, rules: GuardRules): readonly string[] {
  let known = spelled.get(rules);
  if (known === undefined) {
    known = new Map();
    spelled.set(rules, known);
  }
  let forms = known.get(path);
  if (forms === undefined) {
    forms = spellingsOf(path, rules);
    known.set(path, forms);
  }
  return forms;
}

function spellingsOf(path: string, rules: GuardRules): string[] {
  const forms = new Set([path]);
  const underHome = relative(rules.home, path);
  if (underHome !== '' && isInsideDir(rules.home, path)) {
    for (const prefix of homePrefixes) forms.add(prefix + underHome.split(sep).join('/'));
  }
  const underCwd = relative(rules.cwd, path);
  if (underCwd !== '' && isInsideDir(rules.cwd, path)) {
    forms.add(underCwd);
    forms.add(`./${underCwd}`);
  }
  return [...forms];
}

function expandHome(word: string, home: string): string {
  if (word === '~') return home;
  for (const prefix of homePrefixes) {
    if (word.startsWith(prefix)) return `${home}/${word.slice(prefix.length)}`;
  }
  return word;
}

function protectedPathIn(word: string, rules: GuardRules): ProtectedPath | undefined {
  // The word, and what follows its first `=`, as paths; worked out once for all targets.
  const eq = word.indexOf('=');
  const candidates = (eq > 0 ? [word, word.slice(eq + 1)] : [word])
    .filter((candidate) => candidate !== '' && !candidate.startsWith('-'))
    .map((candidate) => ({
      resolved: resolve(rules.cwd, expandHome(candidate, rules.home)),
      // A file target is also reached by its name alone, or by any path ending in it.
      name: candidate.includes('/') ? programName(candidate) : candidate,
    }));
  for (const target of rules.protectedPaths) {
    if (spellings(target.path, rules).some((form) => word.includes(form))) return target;
    const targetName = target.directory ? undefined : programName(target.path);
    for (const { resolved, name } of candidates) {
      if (isInside(resolved, target) || name === targetName) return target;
    }
  }
  return undefined;
}

function mentionsVariable(
  command: string,
  names: readonly string[],
  prefixes: readonly string[],
): string | undefined {
  for (const name of names) {
    if (new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(command)) return name;
  }
  for (const prefix of prefixes) {
    // Declared prefixes are variable-name characters only, so they need no escaping.
    const match = new RegExp(`(^|[^A-Za-z0-9_])(${prefix}[A-Za-z0-9_]*)`).exec(command);
    if (match !== null) return match[2];
  }
  return undefined;
}

function isIronrun(words: readonly string[]): boolean {
  return words.some(
    (word) =>
      programName(word) === 'ironrun' ||
      word.includes('@ironrun/cli') ||
      /(^|\/)packages\/cli\/dist\/(cli|guard)\.js$/.test(word) ||
      /(^|\/)@ironrun\/cli\/dist\/(cli|guard)\.js$/.test(word),
  );
}

const chars = (text: string): PatternToken[] => [...text].map((char) => ({ kind: 'char', char }));

/** Splits tokens at literal `/` and collapses `.` and `..` components (an unknown one makes the rest unknown). */
function normalizeTokens(tokens: readonly PatternToken[]): PatternToken[] {
  const components: PatternToken[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'char' && token.char === '/') components.push([]);
    else (components[components.length - 1] as PatternToken[]).push(token);
  }
  const absolute = components[0]?.length === 0 && components.length > 1;
  const kept: PatternToken[][] = [];
  for (const [index, component] of components.entries()) {
    if (index === 0 && absolute) continue;
    const text = component.every((token) => token.kind === 'char')
      ? component.map((token) => (token as { char: string }).char).join('')
      : undefined;
    if (text === '' || text === '.') continue;
    if (text === '..') {
      const previous = kept.pop();
      if (previous?.some((token) => token.kind === 'unknown' || token.kind === 'alt')) {
        return [{ kind: 'unknown' }];
      }
      continue;
    }
    kept.push(component);
  }
  const out: PatternToken[] = absolute ? [] : [];
  for (const component of kept) {
    if (absolute || out.length > 0) out.push({ kind: 'char', char: '/' });
    out.push(...component);
  }
  if (absolute && out.length === 0) out.push({ kind: 'char', char: '/' });
  return out;
}

/** A word as an absolute path pattern, read from the folder the command runs in. */
function absoluteTokens(word: ShellWord, cwd: string | undefined): PatternToken[] {
  const first = word.tokens[0];
  if (first?.kind === 'char' && first.char === '/') return normalizeTokens(word.tokens);
  if (first?.kind === 'unknown') return normalizeTokens(word.tokens);
  const base: PatternToken[] =
    cwd === undefined
      ? [{ kind: 'unknown' }, { kind: 'char', char: '/' }]
      : [...chars(cwd), { kind: 'char', char: '/' }];
  const normalized = normalizeTokens([...base, ...word.tokens]);
  return cwd === undefined && normalized[0]?.kind !== 'unknown'
    ? [{ kind: 'unknown' }, ...normalized]
    : normalized;
}

/** The value part of `--opt=value` or `NAME=value`, when the word has one. */
function afterEquals(word: ShellWord): ShellWord | undefined {
  const index = word.tokens.findIndex((token) => token.kind === 'char' && token.char === '=');
  if (index <= 0) return undefined;
  const tokens = word.tokens.slice(index + 1);
  return {
    text: word.text.slice(word.text.indexOf('=') + 1),
    tokens,
    literal: word.literal,
    opaque: tokens.some((token) => token.kind === 'unknown'),
  };
}

interface Target extends ProtectedPath {
  readonly real: string;
}

/** Whether `word`, run in `cwd`, can name `target` (or, for a recursive reader, a folder holding it). */
function wordReaches(
  word: ShellWord,
  cwd: string | undefined,
  target: Target,
  recursive: boolean,
): boolean {
  const forms = [word, afterEquals(word)].filter((form) => form !== undefined);
  for (const form of forms) {
    if (form.text === '' || (form.literal && form.text.startsWith('-'))) continue;
    if (form.literal && (cwd !== undefined || form.text.startsWith('/'))) {
      const path = resolve(cwd ?? '/', form.text);
      for (const candidate of new Set([path, realOrSelf(path)])) {
        for (const protectedPath of new Set([target.path, target.real])) {
          if (isInside(candidate, { ...target, path: protectedPath })) return true;
          if (recursive && isAncestor(candidate, protectedPath)) return true;
        }
      }
      continue;
    }
    const tokens = absoluteTokens(form, cwd);
    for (const candidate of [tokens, throughLinks(tokens)]) {
      if (patternReaches(candidate, target, recursive)) return true;
    }
  }
  return false;
}

/** The pattern with its leading literal folders resolved through symbolic links. */
function throughLinks(tokens: readonly PatternToken[]): PatternToken[] {
  let end = 0;
  let lastSlash = -1;
  while (end < tokens.length && tokens[end]?.kind === 'char') {
    if ((tokens[end] as { char: string }).char === '/') lastSlash = end;
    end++;
  }
  if (lastSlash <= 0) return [...tokens];
  const folder = tokens
    .slice(0, lastSlash)
    .map((token) => (token as { char: string }).char)
    .join('');
  const real = realOrSelf(folder);
  return real === folder ? [...tokens] : [...chars(real), ...tokens.slice(lastSlash)];
}

function patternReaches(
  tokens: readonly PatternToken[],
  target: Target,
  recursive: boolean,
): boolean {
  for (const protectedPath of new Set([target.path, target.real])) {
    if (patternCanMatch(tokens, protectedPath, 'exact')) return true;
    if (target.directory && patternCanMatch(tokens, `${protectedPath}/`, 'prefix')) return true;
    if (recursive) {
      for (let i = 1; i < protectedPath.length; i++) {
        if (protectedPath[i] === '/' && patternCanMatch(tokens, protectedPath.slice(0, i), 'exact'))
          return true;
      }
    }
  }
  return false;
}

/** The absolute paths of the policy's sealed commands that are paths (`./deploy.sh`), with their real paths. */
interface OwnedScript {
  readonly id: string;
  readonly path: string;
  readonly real: string;
  content: Buffer | null | undefined;
}

function ownedScripts(rules: GuardRules): OwnedScript[] {
  const base = rules.policyDir ?? rules.cwd;
  const scripts: OwnedScript[] = [];
  for (const command of rules.sealedCommands) {
    const program = command.argv[0];
    if (program === undefined || !program.includes('/')) continue;
    const path = resolve(base, expandHome(program, rules.home));
    scripts.push({ id: command.id, path, real: realOrSelf(path), content: undefined });
  }
  return scripts;
}

/** Whether the file a literal word names has the same bytes as an owned script (a copy or a link). */
function isCopyOf(path: string, script: OwnedScript): boolean {
  try {
    const info = statSync(path);
    if (!info.isFile() || info.size > 4 * 1024 * 1024) return false;
    if (script.content === undefined) {
      try {
        script.content = readFileSync(script.real);
      } catch {
        script.content = null;
      }
    }
    if (script.content === null || info.size !== script.content.length) return false;
    return readFileSync(path).equals(script.content);
  } catch {
    return false;
  }
}

/** The words of an invocation that it runs as a program or a script. */
function runTargets(invocation: ShellInvocation): ShellWord[] {
  const words = invocation.shellWords;
  const program = programName(words[0]?.text ?? '');
  const targets: ShellWord[] = words.slice(0, 1);
  if (interpreters.has(program) || program === 'source' || program === '.') {
    targets.push(...words.slice(1));
    // `bash < script.sh` runs the file it reads.
    for (const redirect of invocation.redirects) {
      if (redirect.operator === '<' || redirect.operator === '<>') targets.push(redirect.target);
    }
  }
  if (program === 'find') {
    let inExec = false;
    for (const word of words.slice(1)) {
      if (/^-(exec|execdir|ok|okdir)$/.test(word.text)) inExec = true;
      else if (word.text === ';' || word.text === '+') inExec = false;
      else if (inExec) targets.push(word);
    }
  }
  return targets;
}

function sameScript(
  word: ShellWord,
  invocation: ShellInvocation,
  script: OwnedScript,
  rules: GuardRules,
): boolean {
  if (word.literal) {
    const text = expandHome(word.text, rules.home);
    if (invocation.cwd !== undefined || text.startsWith('/')) {
      const path = resolve(invocation.cwd ?? '/', text);
      if (path === script.path || path === script.real || realOrSelf(path) === script.real)
        return true;
      if (invocation.afterCd && programName(text) === programName(script.path)) return true;
      return isCopyOf(path, script);
    }
  }
  const tokens = absoluteTokens(word, invocation.cwd);
  return (
    patternCanMatch(tokens, script.path, 'exact') || patternCanMatch(tokens, script.real, 'exact')
  );
}

/** Whether `words` from `start` run `argv` (a program on the `PATH` with fixed arguments). */
function runsNamedCommand(
  words: readonly string[],
  start: number,
  argv: readonly string[],
): boolean {
  const [program, ...fixed] = argv;
  if (program === undefined) return false;
  const name = programName(words[start] ?? '');
  const rest = words.slice(start + 1).filter((word) => !word.startsWith('-'));
  const wanted = fixed.filter((word) => !word.startsWith('-'));
  if (name === program && wanted.every((arg, index) => rest[index] === arg)) return true;
  // `npm run x` is also `npm run-script x`, `pnpm x`, `yarn run x`, `bun run x`.
  if (scriptRunners[program] === undefined || !['run', 'run-script'].includes(wanted[0] ?? ''))
    return false;
  const script = wanted[1];
  const spellingsOfRun = scriptRunners[name];
  if (script === undefined || spellingsOfRun === undefined) return false;
  return spellingsOfRun.some((prefix) =>
    [...prefix, script].every((arg, index) => rest[index] === arg),
  );
}

function runsSealedCommand(
  invocation: ShellInvocation,
  rules: GuardRules,
  scripts: OwnedScript[],
): { id: string } | undefined {
  for (const word of runTargets(invocation)) {
    for (const script of scripts) {
      if (sameScript(word, invocation, script, rules)) return { id: script.id };
    }
  }
  const words = invocation.words;
  const program = programName(words[0] ?? '');
  // An interpreter or `find -exec` may run any of its words.
  const starts = interpreters.has(program) || program === 'find' ? words.length : 1;
  for (const command of rules.sealedCommands) {
    const first = command.argv[0];
    if (first === undefined || first.includes('/')) continue;
    for (let start = 0; start < starts; start++) {
      if (runsNamedCommand(words, start, command.argv)) return { id: command.id };
    }
  }
  return undefined;
}

/** The program text an interpreter is given inline (`python -c`, `node -e`, `awk '…'`, a here-document). */
function inlineCode(invocation: ShellInvocation): string | undefined {
  const words = invocation.words;
  const program = programName(words[0] ?? '');
  if (!interpreters.has(program) || shells.has(program)) return undefined;
  const parts: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    if (inlineCodeFlags.has(word) || /^-[a-zA-Z]*[ce]$/.test(word)) {
      const code = words[i + 1];
      if (code !== undefined) parts.push(code);
    }
    if (program === 'deno' && word === 'eval') parts.push(words.slice(i + 1).join(' '));
  }
  if (['awk', 'gawk', 'mawk', 'nawk'].includes(program)) {
    const code = words.slice(1).find((word) => !word.startsWith('-'));
    if (code !== undefined) parts.push(code);
  }
  if (invocation.stdinText !== undefined) parts.push(invocation.stdinText);
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** Why inline program text may reach a secret location or a vault CLI, or `undefined`. */
function inlineCodeConcern(code: string, rules: GuardRules): string | undefined {
  const joined = code.replace(/['"`+,\s]|\.\s*concat\s*\(|\bf(?=['"])/g, '');
  for (const target of rules.protectedPaths) {
    const tail = relative(rules.home, target.path);
    const inHome = isInsideDir(rules.home, target.path);
    const forms = [...spellings(target.path, rules)];
    if (tail !== '' && inHome) forms.push(tail.split(sep).join('/'));
    const components = inHome ? tail.split(sep).filter((part) => part !== '') : [];
    if (!target.directory) components.push(programName(target.path));
    if (forms.some((form) => joined.includes(form.replace(/[\s'"`+,]/g, '')))) {
      return `it names ${target.what}`;
    }
    const named = components.find(
      (component) => component.length >= 4 && component !== '.config' && code.includes(component),
    );
    if (named !== undefined) return `it names a part of the path of ${target.what}`;
  }
  for (const command of rules.sealedCommands) {
    const program = command.argv[0];
    if (program?.includes('/') && (code + joined).includes(programName(program))) {
      return `it names the policy command "${command.id}"'s script`;
    }
  }
  for (const program of rules.vaultPrograms) {
    if (new RegExp(`(^|['"\`\\s(\\[,;/])${program}(['"\`\\s)\\],;]|$)`).test(code)) {
      return `it may call \`${program}\``;
    }
  }
  if (decoders.test(code) && capabilities.test(code)) {
    return 'it decodes or builds text and opens files or runs programs, so the guard cannot tell what it reaches';
  }
  return undefined;
}

/** `find … -exec {}` or `-exec sh {}` runs files found when the command runs: denied where they could be owned or secret. */
function findExecConcern(
  invocation: ShellInvocation,
  scripts: readonly OwnedScript[],
  targets: readonly Target[],
): string | undefined {
  if (programName(invocation.words[0] ?? '') !== 'find') return undefined;
  const words = invocation.shellWords;
  const execAt = words.findIndex((word) => /^-(exec|execdir|ok|okdir)$/.test(word.text));
  if (execAt === -1) return undefined;
  const runs = words[execAt + 1]?.text ?? '';
  if (runs === '{}')
    return '`find -exec {}` runs programs it finds when the command runs, so the guard cannot tell what runs.';
  if (!interpreters.has(programName(runs))) return undefined;
  const roots = words.slice(1, execAt).filter((word) => !word.text.startsWith('-'));
  const starts = roots.length > 0 && !/^[(!]/.test(roots[0]?.text ?? '') ? roots : [];
  const folders = starts.length === 0 ? [literalWord('.')] : starts;
  for (const folder of folders) {
    if (!folder.literal || invocation.cwd === undefined) {
      return '`find -exec` runs files it finds when the command runs, from a folder the guard cannot tell.';
    }
    const path = resolve(invocation.cwd, folder.text);
    for (const script of scripts) {
      if (isAncestor(path, script.path) || isAncestor(path, script.real)) {
        return `\`find -exec\` could run the policy command "${script.id}"'s script outside the seal. Run it as \`ironrun run ${script.id}\` instead.`;
      }
    }
    for (const target of targets) {
      if (isAncestor(path, target.path) || isAncestor(path, target.real)) {
        return `\`find -exec\` could run or read ${target.what}, which the agent must not read or change.`;
      }
    }
  }
  return undefined;
}

function literalWord(text: string): ShellWord {
  return { text, tokens: chars(text), literal: true, opaque: false };
}

/** The id of an owned script a line names while it also runs a shell, an interpreter or a program by path. */
function copiesOwnedScript(
  invocations: readonly ShellInvocation[],
  scripts: readonly OwnedScript[],
  rules: GuardRules,
): string | undefined {
  if (scripts.length === 0) return undefined;
  const runsSomething = invocations.some((invocation) => {
    const program = invocation.words[0] ?? '';
    return interpreters.has(programName(program)) || program.includes('/');
  });
  if (!runsSomething) return undefined;
  for (const invocation of invocations) {
    const words = [
      ...invocation.shellWords,
      ...invocation.redirects.map((redirect) => redirect.target),
    ];
    for (const word of words) {
      for (const script of scripts) {
        if (word.literal && sameScript(word, invocation, script, rules)) return script.id;
      }
    }
  }
  return undefined;
}

function decideShell(command: string, rules: GuardRules): GuardDecision {
  const variable = mentionsVariable(
    command,
    rules.credentialVariables,
    rules.credentialPrefixes ?? [],
  );
  if (variable !== undefined) {
    return deny(`this uses the vault credential variable ${variable}.`);
  }
  const reading = readShell(command, {
    cwd: rules.cwd,
    home: rules.home,
    env: rules.env ?? {},
    gitTopLevel,
  });
  if (reading.problems.length > 0) {
    return deny(
      `the guard could not fully read this command (${reading.problems.join('; ')}), so it denies it rather than guess. Write it in plain shell: quoted words, no \`case\` or \`eval\` of computed text.`,
    );
  }
  const targets: Target[] = rules.protectedPaths.map((target) => ({
    ...target,
    real: realOrSelf(target.path),
  }));
  const scripts = ownedScripts(rules);
  for (const invocation of reading.invocations) {
    const programWord = invocation.shellWords[0];
    const program = programName(invocation.words[0] ?? '');
    if (programWord !== undefined && !programWord.literal) {
      return deny(
        `the program name \`${programWord.text}\` is computed or a pattern, so the guard cannot tell what runs. Name the program literally.`,
      );
    }
    for (const word of invocation.wrappers) {
      if (rules.vaultPrograms.includes(programName(word))) {
        return deny(
          `\`${programName(word)}\` reads secrets from the vault; the agent must not call it.`,
        );
      }
    }
    for (const word of runTargets(invocation)) {
      const name = programName(word.text);
      if (word.literal && rules.vaultPrograms.includes(name)) {
        return deny(`\`${name}\` reads secrets from the vault; the agent must not call it.`);
      }
    }
    if (isIronrun(invocation.words) && invocation.words.includes('trust')) {
      return deny(
        '`ironrun trust` pins the policy as reviewed; only a person at a terminal may run it, never the agent.',
      );
    }
    if (ptyWrappers.has(program) && /ironrun/.test(command)) {
      return deny(
        `running ironrun under \`${program}\` would answer its terminal confirmation for a person.`,
      );
    }
    const sealed = runsSealedCommand(invocation, rules, scripts);
    if (sealed !== undefined) {
      return deny(
        `this runs the policy command "${sealed.id}" outside the seal. Run it as \`ironrun run ${sealed.id}\` (or run_sealed) instead.`,
      );
    }
    const found = findExecConcern(invocation, scripts, targets);
    if (found !== undefined) return deny(found);
    if (
      invocation.wrappers.some((word) => programName(word) === 'xargs') &&
      !dataOnly.has(program)
    ) {
      return deny(
        `\`xargs ${program}\` gets words read from its input when the command runs, so the guard cannot tell what it reaches. Name the files or run the commands one by one.`,
      );
    }
    if (
      interpreters.has(program) &&
      invocation.pipedInput &&
      inlineCode(invocation) === undefined &&
      !invocation.words.slice(1).some((word) => !word.startsWith('-'))
    ) {
      return deny(
        `\`${program}\` would run a script read from a pipe, which the guard cannot see. Write the script to a file in the project and run that.`,
      );
    }
    if (rules.credentialsPresent.length > 0) {
      const dumpsEnv =
        (envDumpers.has(program) && invocation.words.length <= 2) ||
        invocation.words.some((word) => /\/proc\/[^/\s]+\/environ/.test(word));
      if (dumpsEnv) {
        return deny(
          `this would print the environment, which holds the vault credential ${rules.credentialsPresent[0]}.`,
        );
      }
    }
    for (const word of [...invocation.words, ...invocation.assignments]) {
      const target = protectedPathIn(word, rules);
      if (target !== undefined)
        return deny(`this touches ${target.what}, which the agent must not read or change.`);
    }
    const recursive = recursiveReaders[program]?.(invocation.words) === true;
    const pathWords = [
      ...invocation.shellWords.slice(1),
      ...invocation.redirects.map((redirect) => redirect.target),
    ];
    for (const word of pathWords) {
      if (word.opaque && !dataOnly.has(program)) {
        return deny(
          `\`${word.text}\` is computed when the command runs, so the guard cannot tell whether \`${program}\` would reach a secret location with it. Spell the path or value out.`,
        );
      }
      if (word.opaque) continue;
      for (const target of targets) {
        if (wordReaches(word, invocation.cwd, target, recursive)) {
          return deny(
            recursive
              ? `\`${program}\` would read ${target.what} (inside \`${word.text}\`), which the agent must not read or change.`
              : `this touches ${target.what}, which the agent must not read or change.`,
          );
        }
      }
    }
    for (const word of invocation.assignmentWords) {
      if (word.opaque) continue;
      for (const target of targets) {
        if (wordReaches(word, invocation.cwd, target, false)) {
          return deny(`this touches ${target.what}, which the agent must not read or change.`);
        }
      }
    }
    const code = inlineCode(invocation);
    if (code !== undefined) {
      if (invocation.stdinOpaque) {
        return deny(
          `the program text given to \`${program}\` is computed when the command runs, so the guard cannot read it.`,
        );
      }
      const concern = inlineCodeConcern(code, rules);
      if (concern !== undefined) {
        return deny(
          `the inline \`${program}\` program is denied: ${concern}. Secret locations and vault CLIs are off limits to any tool.`,
        );
      }
    }
  }
  const copied = copiesOwnedScript(reading.invocations, scripts, rules);
  if (copied !== undefined) {
    return deny(
      `this names the policy command "${copied}"'s script and runs a shell, an interpreter or a program by path in the same line, which could run it (or a copy) outside the seal. Run it as \`ironrun run ${copied}\` instead.`,
    );
  }
  if (
    /\benviron\b/.test(command) &&
    /\/proc\//.test(command) &&
    rules.credentialsPresent.length > 0
  ) {
    return deny('this would read a process environment, which holds a vault credential.');
  }
  if (/(^|[^A-Za-z0-9_])(IRONRUN_CONFIG_DIR|XDG_CONFIG_HOME)\s*=/.test(command)) {
    return deny('this moves the ironrun config folder, where the policy trust is kept.');
  }
  if (/(^|[\s/'"`])ironrun(\.js)?['"]?\s+(\S+\s+){0,4}trust\b/.test(command)) {
    return deny('`ironrun trust` may be run only by a person at a terminal, never by the agent.');
  }
  for (const target of rules.protectedPaths) {
    if (spellings(target.path, rules).some((form) => command.includes(form))) {
      return deny(`this touches ${target.what}, which the agent must not read or change.`);
    }
  }
  return { action: 'allow' };
}

function decideFileTool(
  tool: string,
  toolInput: Record<string, unknown>,
  rules: GuardRules,
): GuardDecision {
  const targets: Target[] = rules.protectedPaths.map((target) => ({
    ...target,
    real: realOrSelf(target.path),
  }));
  for (const key of ['file_path', 'path', 'notebook_path', 'pattern', 'glob']) {
    const value = toolInput[key];
    if (typeof value !== 'string' || value === '') continue;
    const target = protectedPathIn(value, rules);
    if (target !== undefined)
      return deny(`this touches ${target.what}, which the agent must not read or change.`);
    if (key === 'pattern' && tool === 'Grep') continue;
    const expanded = expandHome(value, rules.home);
    const globbed = key === 'pattern' || key === 'glob';
    const word: ShellWord = {
      text: expanded,
      tokens: globbed ? globTokens(expanded) : chars(expanded),
      literal: !globbed,
      opaque: false,
    };
    const base =
      key === 'pattern' && typeof toolInput.path === 'string' ? toolInput.path : rules.cwd;
    for (const protectedTarget of targets) {
      if (
        wordReaches(
          word,
          resolve(rules.cwd, expandHome(base, rules.home)),
          protectedTarget,
          tool === 'Grep' && key === 'path',
        )
      ) {
        return deny(
          `this touches ${protectedTarget.what}, which the agent must not read or change.`,
        );
      }
    }
  }
  return { action: 'allow' };
}

/** A Glob tool pattern as tokens (`**` and `*` as globs). */
function globTokens(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      tokens.push({ kind: 'unknown' });
      i++;
    } else if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'one' });
    else if (c === '{' || c === '[') tokens.push({ kind: 'unknown' });
    else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

/**
 * Decides whether Claude Code may run one tool call. Shell commands are denied
 * when they call a vault CLI, run a policy command that receives secrets
 * outside ironrun (by any spelling: an interpreter and the script, a `cd`
 * first, a wrapper, a copy), read or change the envfile or the trust store
 * (by any tool, glob or folder), use a vault credential variable, dump an
 * environment holding one, run `ironrun trust`, or hold anything the guard
 * cannot read fully where it could matter (a computed program name or path,
 * an unbalanced quote, `eval` of computed text). File tools are denied on
 * the envfile and the trust store.
 */
export function decideGuard(input: HookInput, rules: GuardRules): GuardDecision {
  const toolInput = input.tool_input ?? {};
  if (input.tool_name === 'Bash') {
    const command = toolInput.command;
    if (typeof command !== 'string') return { action: 'allow' };
    return decideShell(command, rules);
  }
  if (input.tool_name !== undefined && fileTools.has(input.tool_name)) {
    return decideFileTool(input.tool_name, toolInput, rules);
  }
  return { action: 'allow' };
}

/**
 * The text `guard` prints on stdout for a decision: for a denial, the JSON
 * Claude Code documents for `PreToolUse` decision control (exit code 0,
 * `hookSpecificOutput.permissionDecision: "deny"`, the reason shown to the
 * model); for no objection, nothing, so Claude Code's normal permission flow
 * decides.
 */
export function hookOutput(decision: GuardDecision): string {
  if (decision.action === 'allow') return '';
  return `${JSON.stringify({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: decision.reason,
    },
  })}\n`;
}
