import { describe, expect, it } from 'vitest';
import { writeJobSummary } from './job-summary.js';

/** A stand-in for core.summary that records the table instead of writing a file. */
function fakeSummary() {
  const written: string[] = [];
  let buffer = '';
  const summary = {
    addHeading(text: string) {
      buffer += `<h3>${text}</h3>`;
      return summary;
    },
    addTable(rows: (string | { data: string })[][]) {
      buffer += rows
        .map((row) => row.map((cell) => (typeof cell === 'string' ? cell : cell.data)).join('|'))
        .join('\n');
      return summary;
    },
    async write() {
      written.push(buffer);
      buffer = '';
      return summary;
    },
  };
  return { written, summary: summary as never };
}

describe('writeJobSummary', () => {
  it('writes one table with the command, outcome, exit code, duration, redactions and timeout', async () => {
    const { written, summary } = fakeSummary();
    await writeJobSummary(summary, {
      command: 'deploy',
      outcome: 'failed',
      exitCode: 3,
      durationMs: 812,
      redactions: 2,
      timedOut: false,
    });
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('command|deploy');
    expect(written[0]).toContain('outcome|failed');
    expect(written[0]).toContain('exit code|3');
    expect(written[0]).toContain('duration|812 ms');
    expect(written[0]).toContain('redactions|2');
    expect(written[0]).toContain('timed out|no');
  });

  it('escapes a command id carrying markup', async () => {
    const { written, summary } = fakeSummary();
    await writeJobSummary(summary, {
      command: '<img src=x onerror=alert(1)>',
      outcome: 'refused',
      exitCode: null,
      durationMs: null,
      redactions: 0,
      timedOut: false,
      errorCode: 'UNKNOWN_COMMAND',
    });
    expect(written[0]).not.toContain('<img');
    expect(written[0]).toContain('&#60;img');
    expect(written[0]).toContain('error|UNKNOWN_COMMAND');
    expect(written[0]).toContain('exit code|—');
  });
});
