/** The arguments after the first `--`, which `ironrun run` passes to the command. */
export function passthroughArgs(rawArgs: readonly string[]): string[] {
  const index = rawArgs.indexOf('--');
  return index === -1 ? [] : rawArgs.slice(index + 1);
}

/** The arguments before the first `--`: ironrun's own options and positionals. */
export function ownArgs(rawArgs: readonly string[]): string[] {
  const index = rawArgs.indexOf('--');
  return index === -1 ? [...rawArgs] : rawArgs.slice(0, index);
}

/** The `--policy` option every command that reads the policy takes. */
export const policyArg = {
  type: 'string',
  description:
    'Path to the policy file (default: the nearest ironrun.yml in this folder or a parent)',
  valueHint: 'path',
} as const;

/** The `--json` option every reporting command takes. */
export const jsonArg = {
  type: 'boolean',
  description: 'Print the result as JSON on stdout',
} as const;
