import { defineCommand } from 'citty';
import { brokerSocket } from '../agent/agent-confinement.js';
import { brokerBackend } from '../agent/broker-forwarding.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { passthroughArgs, policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { resolvePolicyPath } from '../find-policy.js';
import { runExitCode } from '../run-exit-code.js';
import { refuseTerminalApproval } from '../terminal-confirm.js';

/** `ironrun run <id> [-- args]`. */
export const runCommand = defineCommand({
  meta: {
    name: 'run',
    description:
      "Run a named command sealed: `ironrun run <id> [-- args]`; prints its redacted output live and exits with the command's exit code",
  },
  args: {
    id: { type: 'positional', required: true, description: 'The command id (see `ironrun list`)' },
    policy: policyArg,
    json: {
      type: 'boolean',
      description:
        'Print only the result object (exit_code, duration_ms, stdout, stderr, ...) as JSON',
    },
  },
  async run({ args, rawArgs, data }) {
    const io = (data as { io: CliIo }).io;
    const passthrough = passthroughArgs(rawArgs);
    // citty lists every positional, those after `--` included; the first is the id.
    const stray = args._.slice(1, args._.length - passthrough.length);
    if (stray.length > 0) {
      throw new CliError('USAGE', `Unexpected argument "${stray[0]}".`, {
        hints: [
          `Pass arguments for the command after --: ironrun run ${args.id} -- ${stray.join(' ')}`,
        ],
      });
    }
    const policyPath = resolvePolicyPath(args.policy, io.cwd);
    const { runSealed, toAgentResult } = await import('@ironrun/core');
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const live = args.json
      ? {}
      : {
          onStdout: (chunk: Uint8Array) => {
            process.stdout.write(chunk);
          },
          onStderr: (chunk: Uint8Array) => {
            process.stderr.write(chunk);
          },
        };
    // Inside `ironrun agent`, the broker outside runs it (and refuses confirm: true commands).
    const socket = brokerSocket(io.env);
    try {
      const result =
        socket !== undefined
          ? await brokerBackend(socket).runSealed({
              policy: policyPath,
              commandId: args.id,
              args: passthrough,
              signal: controller.signal,
              ...live,
            })
          : await runSealed({
              // The path: core reads the policy (and learns a third-party
              // provider's schemes) only after its trust check.
              policy: policyPath,
              commandId: args.id,
              args: passthrough,
              env: io.env,
              // The store `trust` wrote to, by the same rule and the same environment.
              configDir: await ironrunConfigDir(io.env),
              signal: controller.signal,
              // A terminal cannot tell a person from an agent driving a pseudo-terminal
              // (`script`, `expect`, tmux `send-keys`), so `confirm: true` is never approved here.
              confirm: refuseTerminalApproval,
              ...live,
            });
      if (args.json) io.out(`${JSON.stringify(toAgentResult(result), null, 2)}\n`);
      else if (result.timedOut)
        io.err(`${io.errStyle.yellow('ironrun:')} "${args.id}" ran past its ttl and was killed.\n`);
      return runExitCode(result);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});
