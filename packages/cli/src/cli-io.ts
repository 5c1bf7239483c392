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
  // Each style is made on first use: asking whether a stream is a terminal creates the stream
  // (for a pipe, a socket: about a millisecond), which a run that prints nothing of its own,
  // its command's output aside, never needs.
  let style: TerminalStyle | undefined;
  let errStyle: TerminalStyle | undefined;
  return {
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    get style() {
      style ??= createStyle(process.stdout);
      return style;
    },
    get errStyle() {
      errStyle ??= createStyle(process.stderr);
      return errStyle;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
