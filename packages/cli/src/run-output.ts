import { constants } from 'node:os';
import type { RunResult } from '@ironrun/core';
import { ExitCode } from './exit-code.js';

/** The result object `ironrun run --json` prints: the same fields as the MCP `run_sealed` tool. */
export interface RunOutput {
  exit_code: number | null;
  signal: string | null;
  duration_ms: number;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  truncated: boolean;
  redactions: number;
}

/** A {@link RunResult} in the MCP tool's shape. */
export function toRunOutput(result: RunResult): RunOutput {
  return {
    exit_code: result.exitCode,
    signal: result.signal,
    duration_ms: Math.round(result.durationMs),
    stdout: result.stdout,
    stderr: result.stderr,
    timed_out: result.timedOut,
    truncated: result.truncated,
    redactions: result.redactions,
  };
}

/** The exit code `ironrun run` ends with: the child's, 124 on timeout, 128 + signal number when killed. */
export function runExitCode(result: Pick<RunResult, 'exitCode' | 'signal' | 'timedOut'>): number {
  if (result.timedOut) return ExitCode.TIMEOUT;
  if (result.exitCode !== null) return result.exitCode;
  const number =
    result.signal === null
      ? undefined
      : (constants.signals as Record<string, number>)[result.signal];
  return number === undefined ? 1 : 128 + number;
}
