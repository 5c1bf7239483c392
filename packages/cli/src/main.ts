import { type ArgsDef, type CommandDef, renderUsage, runCommand } from 'citty';
import { CliError } from './cli-error.js';
import { type CliIo, processIo } from './cli-io.js';
import { ownArgs } from './command-args.js';
import { ExitCode } from './exit-code.js';
import { reportError } from './report-error.js';
import { stripAnsi } from './terminal-style.js';
import { cliVersion } from './version.js';

// citty types each command by its own args; the table holds any of them (as citty's SubCommandsDef does).
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous command table
type AnyCommand = CommandDef<any>;

/** Every `ironrun` command by name, each loaded on first use. */
export const commands: Record<string, () => Promise<AnyCommand>> = {
  init: () => import('./commands/init.js').then((m) => m.initCommand as AnyCommand),
  run: () => import('./commands/run.js').then((m) => m.runCommand as AnyCommand),
  list: () => import('./commands/list.js').then((m) => m.listCommand as AnyCommand),
  check: () => import('./commands/check.js').then((m) => m.checkCommand as AnyCommand),
  trust: () => import('./commands/trust.js').then((m) => m.trustCommand as AnyCommand),
  mcp: () => import('./commands/mcp.js').then((m) => m.mcpCommand as AnyCommand),
  audit: () => import('./commands/audit.js').then((m) => m.auditCommand as AnyCommand),
  doctor: () => import('./commands/doctor.js').then((m) => m.doctorCommand as AnyCommand),
  guard: () => import('./commands/guard.js').then((m) => m.guardCommand as AnyCommand),
  agent: () => import('./commands/agent.js').then((m) => m.agentCommand as AnyCommand),
};

const summaries: Record<string, string> = {
  init: 'Write ironrun.yml, MCP configs and agent instructions for this project',
  run: 'Run a named command sealed, printing its redacted output',
  list: 'List the commands the policy allows',
  check: 'Validate the policy, its trust and (with --providers) its secret references',
  trust: 'Pin the policy and the files it executes (a person at a terminal only)',
  mcp: 'Start the MCP server on stdio',
  audit: 'Scan agent transcripts for leaked secret values',
  doctor: 'Check Node, isolation support, trust, credentials and MCP configs',
  guard: 'Claude Code PreToolUse hook: deny shell commands that bypass the seal',
  agent: 'Start an agent confined, ironrun outside as its broker: ironrun agent -- claude',
};

function rootCommand(): AnyCommand {
  return {
    meta: {
      name: 'ironrun',
      version: cliVersion,
      description: 'Sealed execution for AI coding agents',
    },
    subCommands: Object.fromEntries(
      Object.entries(commands).map(([name]) => [
        name,
        { meta: { name, description: summaries[name] ?? '' } },
      ]),
    ),
  };
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Rejects options the command does not declare: a typo must not silently drop a protection. */
async function checkOptions(command: AnyCommand, args: readonly string[]): Promise<void> {
  const defs: ArgsDef =
    (typeof command.args === 'function' ? await command.args() : await command.args) ?? {};
  const known = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === 'positional') continue;
    known.set(camel(name), def.type ?? 'boolean');
    const aliases: string[] = 'alias' in def && def.alias !== undefined ? [def.alias].flat() : [];
    for (const alias of aliases) known.set(camel(alias), def.type ?? 'boolean');
  }
  for (const arg of args) {
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^-{1,2}/, '').split('=')[0] ?? '';
    const type = known.get(camel(name));
    if (type !== undefined) continue;
    if (name.startsWith('no-') && known.get(camel(name.slice(3))) === 'boolean') continue;
    throw new CliError('USAGE', `Unknown option ${arg.split('=')[0]}.`, {
      hints: ['See the options with --help.'],
    });
  }
}

function withPeriod(text: string): string {
  return text.endsWith('.') ? text : `${text}.`;
}

function firstPositional(args: readonly string[]): number {
  return args.findIndex((arg) => !arg.startsWith('-'));
}

async function usageText(command: AnyCommand, parent: AnyCommand | undefined, io: CliIo) {
  const text = await renderUsage(command, parent);
  return `${io.style.enabled ? text : stripAnsi(text)}\n`;
}

/**
 * Runs the `ironrun` command line and resolves with the exit code to use.
 * Parsing is citty's; this wrapper adds what a security tool needs on top:
 * `--help` is honoured only before `--` (so `run x -- --help` passes it to the
 * command), unknown options are errors, and every failure maps to a
 * documented exit code.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const root = rootCommand();
  const own = ownArgs(argv);
  const json = own.includes('--json');
  try {
    const index = firstPositional(own);
    if (index === -1) {
      if (own.includes('--version') || own.includes('-v')) {
        io.out(`${cliVersion}\n`);
        return ExitCode.OK;
      }
      const unknown = own.find((arg) => arg !== '--help' && arg !== '-h');
      if (unknown !== undefined) {
        throw new CliError('USAGE', `Unknown option ${unknown}.`, {
          hints: ['Run `ironrun --help`.'],
        });
      }
      if (argv.length > 0 && !own.includes('--help') && !own.includes('-h')) {
        throw new CliError('USAGE', 'Missing command.', { hints: ['Run `ironrun --help`.'] });
      }
      io.out(await usageText(root, undefined, io));
      return ExitCode.OK;
    }
    const name = own[index] ?? '';
    const load = commands[name];
    if (load === undefined || index !== 0) {
      const what = index !== 0 ? `option ${own[0]}` : `command "${name}"`;
      throw new CliError('USAGE', `Unknown ${what}.`, {
        hints: [`Commands: ${Object.keys(commands).join(', ')}. Run \`ironrun --help\`.`],
      });
    }
    const command = await load();
    const rest = argv.slice(index + 1);
    const restOwn = ownArgs(rest);
    if (restOwn.includes('--help') || restOwn.includes('-h')) {
      io.out(await usageText(command, root, io));
      return ExitCode.OK;
    }
    await checkOptions(command, restOwn);
    const { result } = await runCommand(command, { rawArgs: [...rest], data: { io } });
    return typeof result === 'number' ? result : ExitCode.OK;
  } catch (error) {
    if (error instanceof Error && error.name === 'CLIError') {
      return reportError(
        new CliError('USAGE', withPeriod(stripAnsi(error.message)), {
          hints: ['See the usage with --help.'],
        }),
        io,
        json,
      );
    }
    return reportError(error, io, json);
  }
}
