import { constants } from 'node:os';
import type { RunResult } from '@ironrun/core';
import { ExitCode } from './exit-code.js';

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
