import { constants } from 'node:os';

/**
 * What the namespace init says over its report channel, after validation.
 * Everything on that channel comes from inside the seal (a program that
 * steals the channel can write anything), so each line is checked against
 * this closed shape and nothing of a rejected line is ever echoed.
 */
export type InitReport =
  | {
      type: 'started';
      /** The Landlock ABI the program was confined with; 0 for none (and from the Node init). */
      landlock: number;
    }
  | { type: 'error'; code: string }
  | { type: 'exit'; code: number; signal: null }
  | { type: 'exit'; code: null; signal: NodeJS.Signals };

/** The longest line the init ever writes, with room to spare; a longer one is refused unread. */
export const maxReportLineBytes = 256;

const errnoName = /^(E[A-Z0-9]{1,15}|UNKNOWN)$/;

/** Whether `name` is one of the signal names of this platform (`os.constants.signals`). */
export function isSignalName(name: unknown): name is NodeJS.Signals {
  return typeof name === 'string' && Object.hasOwn(constants.signals, name);
}

function exactKeys(value: object, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((key) => Object.hasOwn(value, key));
}

/**
 * Parses one line of the init's report channel. Returns the report, or
 * `undefined` when the line is not exactly one of the shapes of
 * {@link InitReport}: JSON, the exact keys, an exit code that is an integer
 * from 0 to 255, a signal from the closed set of signal names, an errno
 * name for a spawn error.
 */
export function parseInitReport(line: string): InitReport | undefined {
  if (line.length > maxReportLineBytes) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (record.type === 'started') {
    if (exactKeys(record, ['type'])) return { type: 'started', landlock: 0 };
    const { landlock } = record;
    return exactKeys(record, ['type', 'landlock']) &&
      typeof landlock === 'number' &&
      Number.isInteger(landlock) &&
      landlock >= 0 &&
      landlock <= 255
      ? { type: 'started', landlock }
      : undefined;
  }
  if (record.type === 'error') {
    if (!exactKeys(record, ['type', 'code'])) return undefined;
    return typeof record.code === 'string' && errnoName.test(record.code)
      ? { type: 'error', code: record.code }
      : undefined;
  }
  if (record.type !== 'exit' || !exactKeys(record, ['type', 'code', 'signal'])) return undefined;
  const { code, signal } = record;
  if (
    signal === null &&
    typeof code === 'number' &&
    Number.isInteger(code) &&
    code >= 0 &&
    code <= 255
  )
    return { type: 'exit', code, signal: null };
  if (code === null && isSignalName(signal)) return { type: 'exit', code: null, signal };
  return undefined;
}

/**
 * The exit status the init itself ends with for a program's `exit` report:
 * the program's code, or 128 + the signal number. The kernel hands that
 * status to `unshare`, which exits with it, so the report can be checked
 * against a number the program cannot write.
 */
export function initExitCode(report: {
  code: number | null;
  signal: NodeJS.Signals | null;
}): number {
  if (report.code !== null) return report.code;
  const number = report.signal === null ? undefined : constants.signals[report.signal];
  return number === undefined ? 1 : 128 + number;
}

/**
 * Reads the init's report channel: splits it into lines, parses each with
 * {@link parseInitReport}, and keeps the first reason to distrust it (a bad
 * line, a line too long, a second `started` or `exit`, anything after the
 * end). The reason is a fixed phrase: it never holds the bytes received.
 */
export class InitReportReader {
  /** Why the channel is not to be trusted, once it is not. */
  untrusted: string | undefined;
  /** The `exit` report, once it came. */
  exit: Extract<InitReport, { type: 'exit' }> | undefined;
  private pending = '';
  private started = false;
  private ended = false;

  /** Whether the channel has carried nothing at all so far: no report, no other byte. */
  get silent(): boolean {
    return !this.started && !this.ended && this.untrusted === undefined && this.pending === '';
  }

  /** Called with each valid report, in order. */
  onReport: (report: InitReport) => void = () => {};

  /** Feeds a chunk of the channel. */
  push(chunk: Buffer): void {
    if (this.untrusted !== undefined) return;
    this.pending += chunk.toString('latin1');
    let newline = this.pending.indexOf('\n');
    while (newline !== -1 && this.untrusted === undefined) {
      this.accept(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > maxReportLineBytes) this.distrust('a line longer than any report');
    if (this.untrusted !== undefined) this.pending = '';
  }

  /** The channel closed: a partial last line is a reason to distrust it. */
  end(): void {
    if (this.untrusted === undefined && this.pending.length > 0)
      this.distrust('a report cut off mid-line');
    this.pending = '';
  }

  private distrust(reason: string): void {
    this.untrusted ??= reason;
  }

  private accept(line: string): void {
    const report = parseInitReport(line);
    const why =
      report === undefined
        ? 'a line that is not a report of the init'
        : this.ended
          ? 'a report after the last one'
          : report.type === 'started' && this.started
            ? 'a second start report'
            : undefined;
    if (why !== undefined || report === undefined) {
      this.distrust(why ?? 'a line that is not a report of the init');
      return;
    }
    if (report.type === 'started') this.started = true;
    else this.ended = true;
    if (report.type === 'exit') this.exit = report;
    this.onReport(report);
  }
}
