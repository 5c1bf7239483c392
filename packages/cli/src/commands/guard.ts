import { defineCommand } from 'citty';
import type { CliIo } from '../cli-io.js';
import { policyArg } from '../command-args.js';
import { readProcessStdin, runGuard } from '../guard/run-guard.js';

/**
 * `ironrun guard`: a Claude Code `PreToolUse` hook, and Cursor's
 * `beforeShellExecution`/`beforeReadFile`/`preToolUse` hook. The `ironrun` bin runs
 * it through src/guard.ts without this table; this definition serves
 * `--help` and `runCli(['guard', ...])`.
 */
export const guardCommand = defineCommand({
  meta: {
    name: 'guard',
    description:
      'Claude Code PreToolUse and Cursor hook: reads the hook JSON on stdin and denies tool calls that would bypass the seal (fails closed: exit 2 on any failure)',
  },
  args: { policy: policyArg },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const outcome = await runGuard({
      args: args.policy === undefined || args.policy === '' ? [] : ['--policy', args.policy],
      env: io.env,
      readInput: readProcessStdin,
    });
    io.out(outcome.stdout);
    if (outcome.stderr !== '') io.err(outcome.stderr);
    return outcome.code;
  },
});
