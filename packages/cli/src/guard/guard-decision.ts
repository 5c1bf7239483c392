import { relative, resolve, sep } from 'node:path';
import { isInsideDir } from '@ironrun/core';
import { programName, type ShellInvocation, shellInvocations } from './shell-invocations.js';

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
  /** Which of those are set in the environment the agent's shell inherits. */
  readonly credentialsPresent: readonly string[];
  /** Policy commands that receive secrets: running them outside ironrun bypasses the seal. */
  readonly sealedCommands: readonly { readonly id: string; readonly argv: readonly string[] }[];
  /** The policy's folder (relative `argv[0]` paths are read from it). */
  readonly policyDir?: string;
}

/** What `guard` decided. `allow` means "no objection": Claude Code's own permission flow still applies. */
export type GuardDecision = { action: 'allow' } | { action: 'deny'; reason: string };

/** How a shell names the home folder, besides its path. */
const homePrefixes = ['~/', '$HOME/', '$' + '{HOME}/'];
const interpreters = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'node',
  'python',
  'python3',
  'ruby',
  'perl',
  'deno',
  'bun',
  'tsx',
]);
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

const sealHint =
  'Secrets reach commands only through ironrun: call the run_sealed MCP tool (or `ironrun run <id>`) with one of the ids from list_commands.';

function deny(reason: string): GuardDecision {
  return { action: 'deny', reason: `ironrun guard: ${reason} ${sealHint}` };
}

function isInside(path: string, target: ProtectedPath): boolean {
  return path === target.path || (target.directory && isInsideDir(target.path, path));
}

/** The spellings of `path` a shell command might use. */
function spellings(path: string, rules: GuardRules): string[] {
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
  for (const target of rules.protectedPaths) {
    if (spellings(target.path, rules).some((form) => word.includes(form))) return target;
    const candidates = [word];
    const eq = word.indexOf('=');
    if (eq > 0) candidates.push(word.slice(eq + 1));
    for (const candidate of candidates) {
      if (candidate === '' || candidate.startsWith('-')) continue;
      if (isInside(resolve(rules.cwd, expandHome(candidate, rules.home)), target)) return target;
      if (
        !target.directory &&
        candidate.includes('/') === false &&
        candidate === programName(target.path)
      ) {
        return target;
      }
      if (
        !target.directory &&
        programName(candidate) === programName(target.path) &&
        candidate.includes('/')
      ) {
        return target;
      }
    }
  }
  return undefined;
}

function mentionsVariable(command: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(command)) return name;
  }
  const session = /(^|[^A-Za-z0-9_])(OP_SESSION_[A-Za-z0-9_]*)/.exec(command);
  return session?.[2];
}

function isIronrun(words: readonly string[]): boolean {
  return words.some(
    (word) =>
      programName(word) === 'ironrun' ||
      word.includes('@ironrun/cli') ||
      /(^|\/)packages\/cli\/dist\/cli\.js$/.test(word) ||
      /(^|\/)@ironrun\/cli\/dist\/cli\.js$/.test(word),
  );
}

function samePath(word: string, target: string, rules: GuardRules): boolean {
  if (word === target) return true;
  const looksLikePath = (text: string) => text.includes('/');
  if (!looksLikePath(word) || !looksLikePath(target)) return false;
  const base = rules.policyDir ?? rules.cwd;
  return resolve(rules.cwd, expandHome(word, rules.home)) === resolve(base, target);
}

function runsSealedCommand(
  invocation: ShellInvocation,
  rules: GuardRules,
): { id: string } | undefined {
  const words = invocation.words;
  for (const command of rules.sealedCommands) {
    const [program, ...fixed] = command.argv;
    if (program === undefined) continue;
    const pathLike = program.includes('/');
    if (samePath(words[0] ?? '', program, rules)) {
      if (pathLike) return { id: command.id };
      const rest = words.slice(1);
      if (fixed.every((arg, index) => rest[index] === arg)) return { id: command.id };
    }
    if (pathLike && interpreters.has(programName(words[0] ?? ''))) {
      const script = words.slice(1).find((word) => !word.startsWith('-'));
      if (script !== undefined && samePath(script, program, rules)) return { id: command.id };
    }
  }
  return undefined;
}

function decideShell(command: string, rules: GuardRules): GuardDecision {
  const invocations = shellInvocations(command);
  for (const invocation of invocations) {
    const program = programName(invocation.words[0] ?? '');
    if (rules.vaultPrograms.includes(program)) {
      return deny(`\`${program}\` reads secrets from the vault; the agent must not call it.`);
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
    const sealed = runsSealedCommand(invocation, rules);
    if (sealed !== undefined) {
      return deny(
        `this runs the policy command "${sealed.id}" outside the seal. Run it as \`ironrun run ${sealed.id}\` (or run_sealed) instead.`,
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
  }
  if (
    /\benviron\b/.test(command) &&
    /\/proc\//.test(command) &&
    rules.credentialsPresent.length > 0
  ) {
    return deny('this would read a process environment, which holds a vault credential.');
  }
  const variable = mentionsVariable(command, rules.credentialVariables);
  if (variable !== undefined) {
    return deny(`this uses the vault credential variable ${variable}.`);
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

function decideFileTool(toolInput: Record<string, unknown>, rules: GuardRules): GuardDecision {
  for (const key of ['file_path', 'path', 'notebook_path', 'pattern', 'glob']) {
    const value = toolInput[key];
    if (typeof value !== 'string' || value === '') continue;
    const target = protectedPathIn(value, rules);
    if (target !== undefined)
      return deny(`this touches ${target.what}, which the agent must not read or change.`);
  }
  return { action: 'allow' };
}

/**
 * Decides whether Claude Code may run one tool call. Shell commands are denied
 * when they call a vault CLI, run a policy command that receives secrets
 * outside ironrun, read or change the envfile or the trust store, use a vault
 * credential variable, dump an environment holding one, or run
 * `ironrun trust`. File tools are denied on the envfile and the trust store.
 */
export function decideGuard(input: HookInput, rules: GuardRules): GuardDecision {
  const toolInput = input.tool_input ?? {};
  if (input.tool_name === 'Bash') {
    const command = toolInput.command;
    if (typeof command !== 'string') return { action: 'allow' };
    return decideShell(command, rules);
  }
  if (input.tool_name !== undefined && fileTools.has(input.tool_name)) {
    return decideFileTool(toolInput, rules);
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
