import { defineCommand } from 'citty';
import type { CliIo } from '../cli-io.js';
import { policyArg } from '../command-args.js';
import { ExitCode } from '../exit-code.js';

/** `ironrun agent [options] -- <argv>`. */
export const agentCommand = defineCommand({
  meta: {
    name: 'agent',
    description:
      'Start an agent confined, with ironrun outside as its broker: `ironrun agent -- claude`. Inside, no secret, trust record or sealed process can be reached; `ironrun mcp`, `run` and `list` forward to the broker',
  },
  args: {
    policy: policyArg,
    confinement: {
      type: 'string',
      description:
        'Linux: bubblewrap or unshare (default: bubblewrap where it works here, else ironrun’s own unshare set-up)',
      valueHint: 'kind',
    },
    'dry-run': {
      type: 'boolean',
      description: 'Print what would be hidden and how the agent would be confined, then exit',
    },
  },
  async run({ args, rawArgs, data }) {
    const io = (data as { io: CliIo }).io;
    const { startConfinedAgent } = await import('../agent/start-confined-agent.js');
    const code = await startConfinedAgent({
      io,
      rawArgs,
      policy: args.policy,
      confinement: args.confinement,
      dryRun: args['dry-run'] === true,
    });
    return code ?? ExitCode.OK;
  },
});
