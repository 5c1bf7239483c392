import { describe, expect, it } from 'vitest';
import type { RunResult } from './run-sealed.js';
import { toAgentResult } from './to-agent-result.js';

const result: RunResult = {
  exitCode: 3,
  signal: null,
  durationMs: 41.6,
  stdout: 'token [REDACTED]\n',
  stderr: 'oops\n',
  timedOut: false,
  canceled: false,
  truncated: true,
  redactions: 2,
  stdoutBytes: 17,
  stderrBytes: 5,
};

describe('toAgentResult', () => {
  it('maps every field an agent gets to snake_case, with the duration rounded', () => {
    expect(toAgentResult(result)).toEqual({
      exit_code: 3,
      signal: null,
      duration_ms: 42,
      stdout: 'token [REDACTED]\n',
      stderr: 'oops\n',
      timed_out: false,
      truncated: true,
      redactions: 2,
    });
  });

  it('keeps a signal and a timeout, and leaves out byte counts and canceled', () => {
    const agent = toAgentResult({
      ...result,
      exitCode: null,
      signal: 'SIGKILL',
      timedOut: true,
      canceled: true,
    });
    expect(agent).toMatchObject({ exit_code: null, signal: 'SIGKILL', timed_out: true });
    expect(Object.keys(agent)).not.toEqual(
      expect.arrayContaining(['canceled', 'stdoutBytes', 'stderrBytes']),
    );
    expect(Object.keys(agent).some((key) => /[A-Z]/.test(key))).toBe(false);
  });
});

describe('toAgentResult: isolation', () => {
  it('says which isolation the run had, in one line', () => {
    expect(
      toAgentResult({
        ...result,
        isolation: {
          kind: 'namespaces',
          init: 'native',
          bestEffort: false,
          landlock: false,
          seccomp: true,
        },
      }).isolation,
    ).toBe('namespaces (native init, seccomp)');
    expect(
      toAgentResult({
        ...result,
        isolation: {
          kind: 'namespaces',
          init: 'node',
          bestEffort: false,
          landlock: false,
          seccomp: false,
        },
      }).isolation,
    ).toBe('namespaces (node init)');
    expect(
      toAgentResult({
        ...result,
        isolation: {
          kind: 'process-group',
          init: null,
          bestEffort: true,
          landlock: false,
          seccomp: false,
        },
      }).isolation,
    ).toBe('process-group (best-effort)');
    expect(
      toAgentResult({
        ...result,
        isolation: {
          kind: 'namespaces',
          init: 'native',
          bestEffort: false,
          landlock: true,
          seccomp: true,
        },
      }).isolation,
    ).toBe('namespaces (native init, seccomp, landlock)');
  });
});
