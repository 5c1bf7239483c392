import { defineCommand } from 'citty';
import { brokerSocket } from '../agent/agent-confinement.js';
import { brokerBackend } from '../agent/broker-forwarding.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg, policyArg } from '../command-args.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';
import { formatDuration } from '../format-duration.js';
import { printable } from '../terminal-style.js';

/** `ironrun list`. */
export const listCommand = defineCommand({
  meta: {
    name: 'list',
    description: 'List the commands the policy allows (names of variables, never values)',
  },
  args: { policy: policyArg, json: jsonArg },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const policyPath = resolvePolicyPath(args.policy, io.cwd);
    const { listCommands, readPolicyWithProviderSchemes, toAgentCommand } = await import(
      '@ironrun/core'
    );
    // Inside `ironrun agent`, the broker lists the commands of a policy it trusts.
    const socket = brokerSocket(io.env);
    const commands =
      socket === undefined
        ? listCommands(await readPolicyWithProviderSchemes(policyPath))
        : await brokerBackend(socket).listCommands(policyPath);
    if (args.json) {
      const view = commands.map(toAgentCommand);
      io.out(`${JSON.stringify({ policy: policyPath, commands: view }, null, 2)}\n`);
      return ExitCode.OK;
    }
    const { style } = io;
    if (commands.length === 0) {
      io.out(`The policy ${policyPath} declares no commands.\n`);
      return ExitCode.OK;
    }
    const width = Math.max(...commands.map((command) => command.id.length));
    for (const command of commands) {
      const flags = [
        `ttl ${formatDuration(command.ttlMs)}`,
        ...(command.noNetwork ? ['no network'] : []),
        ...(command.confirm ? ['confirm'] : []),
      ];
      io.out(
        `${style.bold(command.id.padEnd(width))}  ${printable(command.description ?? command.argv.join(' '))}\n`,
      );
      io.out(
        `${' '.repeat(width)}  ${style.dim(printable(`argv ${JSON.stringify(command.argv)}; ${flags.join(', ')}`))}\n`,
      );
      if (command.args !== undefined) {
        const { maxCount, pattern, allowOptions } = command.args;
        const shape = `args: up to ${maxCount}, each matching /${pattern}/ in full; ${allowOptions ? 'options only as the pattern names them' : 'no options'}`;
        io.out(`${' '.repeat(width)}  ${style.dim(printable(shape))}\n`);
      }
      if (command.env.length > 0) {
        io.out(`${' '.repeat(width)}  ${style.dim(`env ${command.env.join(', ')}`)}\n`);
      }
    }
    return ExitCode.OK;
  },
});
