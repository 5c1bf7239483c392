import type { RunResult } from './run-sealed.js';

/**
 * The result of a run as an agent gets it: what the MCP tool `run_sealed`
 * returns (as `structuredContent` and as JSON text) and `ironrun run --json`
 * prints. Every string in it is redacted.
 */
export interface AgentResult {
  /** The exit code, or `null` when a signal ended the process. */
  exit_code: number | null;
  /** The signal that ended the process, if any. */
  signal: string | null;
  /** Wall time from spawn to exit, in whole milliseconds. */
  duration_ms: number;
  /** Redacted stdout (head and tail when cut). */
  stdout: string;
  /** Redacted stderr (head and tail when cut). */
  stderr: string;
  /** Whether the command's TTL killed it. */
  timed_out: boolean;
  /** Whether any output was left out of `stdout` or `stderr`. */
  truncated: boolean;
  /** How many secret occurrences were replaced. */
  redactions: number;
  /**
   * Which isolation the run had: `namespaces (native init, seccomp, landlock)`,
   * `namespaces (node init)`, `network-namespace (best-effort)`, `process-group
   * (best-effort)`, `sandbox-exec`…; absent when unknown. `seccomp` and
   * `landlock` are named only when the filter and the ruleset were installed.
   */
  isolation?: string;
}

/** The one-line isolation summary of {@link AgentResult}. */
export function describeIsolation(isolation: NonNullable<RunResult['isolation']>): string {
  const notes = [
    ...(isolation.init === null ? [] : [`${isolation.init} init`]),
    // `=== true`: a broker of before seccomp sends no such field.
    ...(isolation.seccomp === true ? ['seccomp'] : []),
    ...(isolation.landlock ? ['landlock'] : []),
    ...(isolation.bestEffort ? ['best-effort'] : []),
  ];
  return notes.length === 0 ? isolation.kind : `${isolation.kind} (${notes.join(', ')})`;
}

/**
 * Turns a {@link RunResult} into the snake_case object an agent gets, the
 * same from every front end: `exit_code`, `signal`, `duration_ms` (rounded),
 * `stdout`, `stderr`, `timed_out`, `truncated`, `redactions`. The byte
 * counts and `canceled` stay out (a canceled run has no one to return to).
 *
 * @example
 * const result = await runSealed({ policy: 'ironrun.yml', commandId: 'test' });
 * console.log(JSON.stringify(toAgentResult(result)));
 */
export function toAgentResult(result: RunResult): AgentResult {
  return {
    exit_code: result.exitCode,
    signal: result.signal,
    duration_ms: Math.round(result.durationMs),
    stdout: result.stdout,
    stderr: result.stderr,
    timed_out: result.timedOut,
    truncated: result.truncated,
    redactions: result.redactions,
    ...(result.isolation === undefined ? {} : { isolation: describeIsolation(result.isolation) }),
  };
}
