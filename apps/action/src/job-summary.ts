import type * as core from '@actions/core';

/** What the job summary shows about one run: never a value, only facts. */
export interface RunReport {
  /** The command id, as given in the `command` input. */
  command: string;
  /** `passed`, `failed`, `timed out`, `canceled` (the job was), or `refused` (the command never ran). */
  outcome: 'passed' | 'failed' | 'timed out' | 'canceled' | 'refused';
  /** The exit code, `null` when the command was ended by a signal or never ran. */
  exitCode: number | null;
  /** How long the command ran, `null` if it never ran. */
  durationMs: number | null;
  /** Secret occurrences replaced in the output. */
  redactions: number;
  /** Whether the command was killed at its ttl. */
  timedOut: boolean;
  /** The ironrun error code when the run was refused (e.g. `UNKNOWN_COMMAND`). */
  errorCode?: string;
}

/**
 * Appends a table about the run to the job summary (`$GITHUB_STEP_SUMMARY`).
 * Every cell is HTML-escaped, so a command id cannot inject markup.
 *
 * @example
 * await writeJobSummary(core.summary, { command: 'deploy', outcome: 'passed', exitCode: 0, durationMs: 812, redactions: 2, timedOut: false });
 */
export async function writeJobSummary(
  summary: typeof core.summary,
  report: RunReport,
): Promise<void> {
  const rows: [string, string][] = [
    ['command', report.command],
    ['outcome', report.outcome],
    ['exit code', report.exitCode === null ? '—' : String(report.exitCode)],
    ['duration', report.durationMs === null ? '—' : `${report.durationMs} ms`],
    ['redactions', String(report.redactions)],
    ['timed out', report.timedOut ? 'yes' : 'no'],
  ];
  if (report.errorCode !== undefined) rows.push(['error', report.errorCode]);
  await summary
    .addHeading('ironrun', 3)
    .addTable([
      [
        { data: 'field', header: true },
        { data: 'value', header: true },
      ],
      ...rows.map(([field, value]) => [escapeHtml(field), escapeHtml(value)]),
    ])
    .write();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
