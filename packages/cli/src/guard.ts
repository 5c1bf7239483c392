#!/usr/bin/env node
// The `PreToolUse` hook entry `init` registers: `node …/dist/guard.js`. It
// loads the guard alone (no citty, no MCP or vault SDK) and fails closed:
// whatever goes wrong, even a broken install, it exits 2, which Claude Code
// treats as "block".
import { writeSync } from 'node:fs';

const failClosed = (reason: string) => {
  process.stderr.write(
    `ironrun guard: ${reason} The tool call is denied (the guard fails closed).\n`,
  );
  process.exit(2);
};
process.on('uncaughtException', () => failClosed('failed unexpectedly.'));
process.on('unhandledRejection', () => failClosed('failed unexpectedly.'));
setTimeout(() => failClosed('took longer than 10 s.'), 10_000).unref();

/**
 * Writes `text` to stdout (1) or stderr (2). Nothing, when there is nothing to say (the usual
 * "no objection"); else straight to the descriptor. `process.stdout` is only touched when
 * that cannot be done at once, since setting up the stream costs more than the write.
 */
function write(fd: 1 | 2, text: string): void {
  if (text === '') return;
  let rest = Buffer.from(text, 'utf8');
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
  } catch {
    (fd === 1 ? process.stdout : process.stderr).write(rest);
  }
}

try {
  const { readProcessStdin, runGuard } = await import('./guard/run-guard.js');
  const outcome = await runGuard({
    // `ironrun guard …` reaches this entry too (src/cli.ts), with the command name first.
    args: process.argv[2] === 'guard' ? process.argv.slice(3) : process.argv.slice(2),
    env: process.env,
    readInput: readProcessStdin,
  });
  write(1, outcome.stdout);
  write(2, outcome.stderr);
  process.exitCode = outcome.code;
} catch {
  failClosed('could not load (is @ironrun/cli installed completely?).');
}
