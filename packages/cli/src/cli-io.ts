import { createStyle, type TerminalStyle } from './terminal-style.js';

/** Where a command writes, and how it styles what it writes. */
export interface CliIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
  /** Styling for text written to stdout (plain unless stdout is a colour terminal). */
  readonly style: TerminalStyle;
  /** Styling for text written to stderr. */
  readonly errStyle: TerminalStyle;
  /** The environment the CLI was started with. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory the CLI was started in. */
  readonly cwd: string;
}

/** The {@link CliIo} of this process. */
export function processIo(): CliIo {
  return {
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    style: createStyle(process.stdout),
    errStyle: createStyle(process.stderr),
    env: process.env,
    cwd: process.cwd(),
  };
}
