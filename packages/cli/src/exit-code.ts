/**
 * The exit codes of the `ironrun` command. `run` exits with the child's own
 * code when the command ran; every other code below is ironrun's own.
 *
 * A child can itself exit with 1-6: a script that must tell a child's code
 * from ironrun's refusal reads `--json`, whose result object is printed only
 * when the command ran.
 */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** A check found a problem: `audit` found a leak, `doctor` or `check` failed a check. */
  FINDING: 1,
  /** Bad usage (unknown option, missing argument) or an invalid policy. */
  USAGE: 2,
  /** The policy (or a pinned file) is not trusted, or changed since it was trusted. */
  UNTRUSTED: 3,
  /** The provider failed, a secret reference did not resolve, or a resolved value cannot be redacted. */
  PROVIDER: 4,
  /** The command could not start: the sandbox refused it (binary not allowed, isolation unavailable, spawn failed) or a start-up hook failed. */
  SANDBOX: 5,
  /** A confirmation was declined, or there was no terminal to ask on. */
  DECLINED: 6,
  /** Internal error: a bug in ironrun. */
  INTERNAL: 70,
  /** `run`: the command was killed because its `ttl` ran out (as GNU `timeout`). */
  TIMEOUT: 124,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
