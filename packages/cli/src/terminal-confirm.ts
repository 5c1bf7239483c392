import { createInterface } from 'node:readline';
import { CliError } from './cli-error.js';

/**
 * Asks a yes/no question on the terminal: the question on stderr, the answer
 * from stdin, which must be a terminal. Anything but `y`/`yes` is no.
 * Without a terminal it throws {@link CliError} `NO_TERMINAL`: no way to ask
 * means no.
 *
 * A terminal is the best the CLI can ask for, not proof of a person: a
 * process that allocates a pseudo-terminal (`script`, `expect`) can answer.
 * That is why `ironrun guard` denies those wrappers around ironrun, and why
 * an agent should reach ironrun only through MCP.
 */
export async function confirmOnTerminal(
  question: string,
  streams: {
    input?: NodeJS.ReadableStream & { isTTY?: boolean };
    output?: NodeJS.WritableStream;
  } = {},
): Promise<boolean> {
  const input = streams.input ?? process.stdin;
  const output = streams.output ?? process.stderr;
  if (input.isTTY !== true) {
    throw new CliError(
      'NO_TERMINAL',
      'This needs a confirmation from a person, and stdin is not a terminal.',
      {
        hints: ['Run it yourself in a terminal.'],
      },
    );
  }
  const rl = createInterface({ input, output, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.once('SIGINT', () => {
        output.write('\n');
        resolve('');
      });
      rl.question(question, resolve);
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
