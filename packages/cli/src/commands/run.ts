import { defineCommand } from 'citty';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { passthroughArgs, policyArg } from '../command-args.js';
import { runNamed } from '../run-named.js';

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
    return runNamed(io, {
      id: args.id,
      policy: args.policy,
      json: Boolean(args.json),
      passthrough,
    });
  },
});
