import { isCliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { toCliError } from './error-mapping.js';

/**
 * Prints an error the way every `ironrun` command does (`ironrun: <message>` and its hints on
 * stderr, and `{ "error": { code, message } }` on stdout with `--json`) and returns its exit
 * code. Messages come from the packages' own errors, which by contract hold no secret value.
 */
export function reportError(error: unknown, io: CliIo, json: boolean): number {
  const cliError = isCliError(error) ? error : toCliError(error);
  if (json) {
    io.out(
      `${JSON.stringify({ error: { code: cliError.code, message: cliError.message } }, null, 2)}\n`,
    );
  }
  io.err(`${io.errStyle.red('ironrun:')} ${cliError.message.replace(/^ironrun: /, '')}\n`);
  for (const hint of cliError.hints) io.err(`  ${io.errStyle.dim(hint)}\n`);
  if (cliError.code === 'INTERNAL' && io.env.IRONRUN_DEBUG && error instanceof Error) {
    io.err(`${error.stack ?? ''}\n`);
  }
  return cliError.exitCode;
}
