// The hook entry `init` registers for Claude Code, Cursor and Gemini CLI:
// `node …/dist/guard.cjs`, one self-contained CommonJS file (built from this module by
// tsup.config.ts). It loads the guard alone (no citty, no MCP or vault SDK) and fails
// closed: whatever goes wrong, even a broken install, it exits 2, which Claude Code,
// Cursor and Gemini CLI treat as "block". CommonJS because Node's ES module loader
// costs about as much again as the guard's own work (`pnpm bench`); so this module has
// no top-level await and reads no `import.meta`. `dist/guard.js` (src/guard-esm.ts), the
// entry older settings files name, and `ironrun guard` (src/cli.ts) load this same file.
import { writeSync } from 'node:fs';

let guard: typeof import('./guard/run-guard.js') | undefined;

const failClosed = (reason: string) => {
  write(2, `ironrun guard: ${reason} The tool call is denied (the guard fails closed).\n`);
  // With a read of stdin still waiting on the thread pool (an agent that never closed the
  // input), `process.exit` would wait for it forever: the process ends by SIGKILL, which
  // the hook's `|| { …; exit 2; }` fallback turns into exit 2, and Cursor's `failClosed`
  // blocks as a crash. Every other failure exits 2 here.
  if (guard?.readingStdin() === true) process.kill(process.pid, 'SIGKILL');
  process.exit(2);
};

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

async function main(): Promise<void> {
  try {
    guard = await import('./guard/run-guard.js');
    const { readProcessStdin, runGuard } = guard;
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
}

process.on('uncaughtException', () => failClosed('failed unexpectedly.'));
process.on('unhandledRejection', () => failClosed('failed unexpectedly.'));
setTimeout(() => failClosed('took longer than 10 s.'), 10_000).unref();
void main();
