import { CliError } from './cli-error.js';
import { printable } from './terminal-style.js';

/**
 * Asks a yes/no question on the terminal: the question on stderr, the answer
 * from stdin, which must be a terminal. Anything but `y`/`yes` is no.
 * Without a terminal it throws {@link CliError} `NO_TERMINAL`: no way to ask
 * means no.
 *
 * A terminal is not proof of a person: a process that allocates a
 * pseudo-terminal (`script`, `expect`, tmux) can answer. So this serves only
 * `ironrun trust`, whose answer the same OS user could forge in the trust
 * store anyway; a `confirm: true` command is never approved through it (see
 * {@link refuseTerminalApproval}).
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
  // Loaded here: `ironrun run` bundles this file (for refuseTerminalApproval) and never asks.
  const { createInterface } = await import('node:readline');
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

/**
 * The `confirm` of `ironrun run`: it refuses every `confirm: true` command,
 * without asking. Nothing the CLI can see tells a person at a terminal from
 * an agent that opened a pseudo-terminal and types into it: stdin is a
 * terminal either way, the agent's pty is a controlling terminal of its own
 * session, and the process holding its other end (`script`, tmux, a terminal
 * emulator the agent started) runs as the same user as a person's would.
 * Where a person cannot be told from the agent, the answer is no; a person
 * approves through MCP elicitation in the agent's client instead.
 */
export async function refuseTerminalApproval(request: { commandId: string }): Promise<boolean> {
  throw new CliError(
    'CONFIRM_DECLINED',
    `"${printable(request.commandId)}" is marked confirm: true, and a terminal prompt cannot tell a person from an agent driving a pseudo-terminal (script, expect, tmux), so ironrun run does not ask; run it through an MCP client, which asks you in its own window (elicitation)`,
  );
}
