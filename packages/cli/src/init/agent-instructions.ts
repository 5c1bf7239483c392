import { shellWord } from './ironrun-invocation.js';
import { makeArgsRule, makeArgsVariable, type TestRunner, testArgsRule } from './test-args.js';

/** A command's `args:` rule as the policy holds it. */
export interface CommandArgs {
  readonly pattern: string;
  readonly max: number;
  readonly allowOptions: boolean;
}

/** One command of the policy, as the instructions show it. */
export interface InstructionCommand {
  readonly id: string;
  readonly args?: CommandArgs;
}

const runners: readonly TestRunner[] = [
  'pytest',
  'vitest',
  'jest',
  'mocha',
  'node-test',
  'go',
  'cargo',
];

/**
 * What an agent may pass to a command, and an example: the summary and example
 * of the rule `init` wrote when the policy's rule is exactly one of them, else
 * the rule itself (no example: none is known to match).
 */
function argsShape(args: CommandArgs): { summary: string; example?: readonly string[] } {
  const variable = makeArgsVariable(args.pattern);
  const rules = [
    ...runners.map(testArgsRule),
    ...(variable === undefined ? [] : [makeArgsRule(variable)]),
  ];
  for (const rule of rules) {
    if (
      rule.pattern === args.pattern &&
      rule.max === args.max &&
      rule.allowOptions === args.allowOptions
    ) {
      return { summary: rule.summary, example: rule.example };
    }
  }
  const options = args.allowOptions ? 'options only as the pattern names them' : 'no options';
  return {
    summary: `up to ${args.max} arguments, each matching \`/${args.pattern.replaceAll('`', '\\`')}/\` in full; ${options}`,
  };
}

/**
 * The instructions ironrun gives agents, written once in `AGENTS.md`
 * (`CLAUDE.md` imports it, see {@link claudeReference}). `ironrun` is the
 * shell form that works for this install (see `ironrunInvocation`).
 */
export function agentInstructions(options: {
  commands: readonly InstructionCommand[];
  ironrun: readonly string[];
}): string {
  const shell = options.ironrun.map(shellWord).join(' ');
  const ids = options.commands.map(({ id }) => `\`${id}\``).join(', ');
  const first = options.commands[0]?.id ?? '<id>';
  const withArgs = options.commands.filter(
    (command): command is InstructionCommand & { args: CommandArgs } => command.args !== undefined,
  );
  const withoutArgs = options.commands.filter((command) => command.args === undefined);
  const lines = [
    '## Commands that need secrets run through ironrun',
    '',
    "This project's commands run through [ironrun](https://github.com/ironrun/ironrun): it injects",
    'secrets from the vault into a sealed process and returns the output with every secret value',
    'replaced by `[REDACTED]`.',
    '',
    options.commands.length > 0
      ? `Commands: ${ids}.`
      : 'Commands: none yet (`list_commands` shows them once `ironrun.yml` has some).',
    '',
    '- Run them with the `run_sealed` tool of the `ironrun` MCP server (`list_commands` lists them,',
    '  with the arguments each accepts), or in a shell, from the project folder:',
    '',
    '  ```sh',
    `  ${shell} list`,
    `  ${shell} run ${shellWord(first)}`,
    '  ```',
  ];
  if (withArgs.length > 0) {
    lines.push(
      '',
      '- These take arguments, to run one test file or filter tests by name. Each argument is',
      '  checked against the policy before anything runs; anything else is refused:',
    );
    for (const command of withArgs) {
      const shape = argsShape(command.args);
      lines.push(`  - \`${command.id}\`: ${shape.summary}.`);
      if (shape.example !== undefined) {
        const call = JSON.stringify({ id: command.id, args: shape.example });
        const words = [command.id, '--', ...shape.example].map(shellWord).join(' ');
        lines.push(
          `    For example \`run_sealed\` with \`${call}\`, or \`${shell} run ${words}\`.`,
        );
      }
    }
  }
  if (withoutArgs.length > 0) {
    lines.push(
      '',
      `- ${withoutArgs.map(({ id }) => `\`${id}\``).join(', ')} ${withoutArgs.length === 1 ? 'takes' : 'take'} no arguments.`,
    );
  }
  lines.push(
    '',
    withArgs.length > 0
      ? '- Run these commands only this way, one test file or a name filter included: do not start'
      : '- Run these commands only this way: do not start',
    '  their programs yourself (the test runner, `npm run`, `make`): ironrun runs them with the',
    '  secrets and settings the project gave them, which your shell does not have. If you need',
    '  something no command offers (such as arguments a command does not take), ask the person to',
    '  add it to `ironrun.yml`.',
    '- Never call the vault CLIs (`op`, `doppler`, `infisical`), and never read or print the secrets',
    '  file or vault tokens.',
    '- Never run `ironrun trust`, and do not edit `ironrun.yml` or the files it runs to get around a',
    '  refusal: a changed policy is refused until a person reviews and trusts it again.',
    '- `[REDACTED]` in the output is expected: it is where a secret was.',
    '- Started under `ironrun agent`, nothing changes for you: the same tools and commands work, and',
    '  forward to ironrun outside; secrets, vault files and trust records are simply not there.',
  );
  return lines.join('\n');
}

/**
 * The `CLAUDE.md` section: an import of `AGENTS.md`, where the instructions
 * are (Claude Code expands an `@path` line into its context; inside backticks
 * it would not).
 */
export function claudeReference(): string {
  return [
    "ironrun's instructions for this project (how to run its commands) are in AGENTS.md:",
    '',
    '@AGENTS.md',
  ].join('\n');
}

/** True when `text`, outside ironrun's own section, already imports `AGENTS.md`. */
export function importsAgentsMd(text: string, sectionStart: string, sectionEnd: string): boolean {
  const start = text.indexOf(sectionStart);
  const end = start === -1 ? -1 : text.indexOf(sectionEnd, start);
  const outside =
    start === -1 || end === -1 ? text : text.slice(0, start) + text.slice(end + sectionEnd.length);
  let fenced = false;
  for (const line of outside.split('\n')) {
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && /^\s*@\.?\/?AGENTS\.md\s*$/.test(line)) return true;
  }
  return false;
}
