import type { CommandSummary } from './list-commands.js';

/**
 * One command as an agent gets it: what the MCP tool `list_commands` returns
 * and `ironrun list --json` prints. Names of variables only, never a value or
 * a secret reference.
 */
export interface AgentCommand {
  id: string;
  /** Present only when the policy gives one. */
  description?: string;
  /** The argv as written in the policy. */
  argv: string[];
  /** Names of the environment variables the command receives. */
  env: string[];
  /** Whether extra arguments are accepted. */
  accepts_args: boolean;
  /** The pattern each extra argument must match; present only when `accepts_args`. */
  args_pattern?: string;
  /** How many extra arguments at most; present only when `accepts_args`. */
  max_args?: number;
  /**
   * Whether an extra argument may start with `-` (only those the pattern
   * admits, such as a test runner's `-k`); present only when `accepts_args`.
   */
  allow_options?: boolean;
  ttl_ms: number;
  no_network: boolean;
  /** Whether a person must approve each run. */
  confirm: boolean;
  /** Bytes of each stream returned. */
  max_output: number;
}

/**
 * Turns a {@link CommandSummary} of {@link listCommands} into the snake_case
 * object an agent gets, the same from every front end.
 *
 * @example
 * const policy = await loadTrustedPolicy('ironrun.yml');
 * console.log(JSON.stringify(listCommands(policy).map(toAgentCommand)));
 */
export function toAgentCommand(command: CommandSummary): AgentCommand {
  return {
    id: command.id,
    ...(command.description === undefined ? {} : { description: command.description }),
    argv: command.argv,
    env: command.env,
    accepts_args: command.acceptsArgs,
    ...(command.args === undefined
      ? {}
      : {
          args_pattern: command.args.pattern,
          max_args: command.args.maxCount,
          allow_options: command.args.allowOptions,
        }),
    ttl_ms: command.ttlMs,
    no_network: command.noNetwork,
    confirm: command.confirm,
    max_output: command.maxOutputBytes,
  };
}
