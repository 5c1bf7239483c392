import { describe, expect, it } from 'vitest';
import { runExitCode } from './run-exit-code.js';

describe('runExitCode', () => {
  it("is the child's code, 124 on timeout, and 128 + the signal number when killed", () => {
    expect(runExitCode({ exitCode: 0, signal: null, timedOut: false })).toBe(0);
    expect(runExitCode({ exitCode: 42, signal: null, timedOut: false })).toBe(42);
    expect(runExitCode({ exitCode: null, signal: 'SIGKILL', timedOut: true })).toBe(124);
    expect(runExitCode({ exitCode: null, signal: 'SIGTERM', timedOut: false })).toBe(143);
    expect(runExitCode({ exitCode: null, signal: 'SIGINT', timedOut: false })).toBe(130);
  });
});
