import { defineCommand } from 'citty';
import { brokerSocket } from '../agent/agent-confinement.js';
import { brokerBackend } from '../agent/broker-forwarding.js';
import type { CliIo } from '../cli-io.js';
import { policyArg } from '../command-args.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';

/** `ironrun mcp`. */
export const mcpCommand = defineCommand({
  meta: {
    name: 'mcp',
    description:
      'Start the MCP server (run_sealed, list_commands) on stdio, for an agent to launch',
  },
  args: { policy: policyArg },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const policyPath = resolvePolicyPath(args.policy, io.cwd);
    const { startStdioServer } = await import('@ironrun/mcp');
    // Inside `ironrun agent`, every call goes to the broker outside.
    const socket = brokerSocket(io.env);
    const handle = await startStdioServer({
      policyPath,
      env: io.env,
      ...(socket === undefined ? {} : { broker: brokerBackend(socket) }),
    });
    const stop = () => {
      void handle.close();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await handle.closed;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return ExitCode.OK;
  },
});
