import type { Policy } from '@ironrun/policy';

/**
 * What an agent may know about one command: everything but secret values.
 * Secret references are not listed either (they say where a secret lives);
 * only the names of the variables the command receives.
 */
export interface CommandSummary {
  id: string;
  description: string | undefined;
  /** The argv as written in the policy (no secret is ever in argv). */
  argv: string[];
  /** Names of the environment variables the command receives. */
  env: string[];
  /** Whether the caller may append arguments. */
  acceptsArgs: boolean;
  /** The pattern each extra argument must match, and how many are allowed. */
  args: { pattern: string; maxCount: number; allowOptions: boolean } | undefined;
  ttlMs: number;
  noNetwork: boolean;
  /** Whether a person must approve each run. */
  confirm: boolean;
  /** Bytes of each stream kept for the caller. */
  maxOutputBytes: number;
}

/**
 * Lists a policy's commands in the form an agent may see.
 *
 * @example
 * const policy = await loadPolicy('ironrun.yml');
 * for (const command of listCommands(policy)) console.log(command.id, command.description);
 */
export function listCommands(policy: Policy): CommandSummary[] {
  return policy.commands.map((command) => ({
    id: command.id,
    description: command.description,
    argv: [...command.argv],
    env: Object.keys(command.env),
    acceptsArgs: command.args !== undefined,
    args: command.args === undefined ? undefined : { ...command.args },
    ttlMs: command.ttlMs,
    noNetwork: command.noNetwork,
    confirm: command.confirm,
    maxOutputBytes: command.maxOutputBytes,
  }));
}
