import { brokerSocket } from './agent/agent-confinement.js';
import { brokerBackend } from './agent/broker-forwarding.js';
import type { CliIo } from './cli-io.js';
import { ironrunConfigDir } from './config-dir.js';
import { resolvePolicyPath } from './find-policy.js';
import { runExitCode } from './run-exit-code.js';
import { refuseTerminalApproval } from './terminal-confirm.js';

/** What `ironrun run` was asked, its command line already parsed. */
export interface RunRequest {
  /** The command id. */
  id: string;
  /** `--policy`, if given. */
  policy: string | undefined;
  /** `--json`: print only the result object. */
  json: boolean;
  /** The arguments after `--`, for the command. */
  passthrough: string[];
}

/**
 * The body of `ironrun run`, shared by the citty command (`commands/run.ts`) and the
 * single-file fast path (`run-fast.ts`): runs the command sealed (through the broker inside
 * `ironrun agent`), prints its redacted output live (or the result with `--json`) and
 * resolves with the exit code. Throws what `runSealed` throws.
 */
export async function runNamed(io: CliIo, request: RunRequest): Promise<number> {
  const policyPath = resolvePolicyPath(request.policy, io.cwd);
  const { runSealed, toAgentResult } = await import('@ironrun/core');
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const live = request.json
    ? {}
    : {
        onStdout: (chunk: Uint8Array) => {
          process.stdout.write(chunk);
        },
        onStderr: (chunk: Uint8Array) => {
          process.stderr.write(chunk);
        },
      };
  // Inside `ironrun agent`, the broker outside runs it (and refuses confirm: true commands).
  const socket = brokerSocket(io.env);
  try {
    const result =
      socket !== undefined
        ? await brokerBackend(socket).runSealed({
            policy: policyPath,
            commandId: request.id,
            args: request.passthrough,
            signal: controller.signal,
            ...live,
          })
        : await runSealed({
            // The path: core reads the policy (and learns a third-party
            // provider's schemes) only after its trust check.
            policy: policyPath,
            commandId: request.id,
            args: request.passthrough,
            env: io.env,
            // The store `trust` wrote to, by the same rule and the same environment.
            configDir: await ironrunConfigDir(io.env),
            signal: controller.signal,
            // A terminal cannot tell a person from an agent driving a pseudo-terminal
            // (`script`, `expect`, tmux `send-keys`), so `confirm: true` is never approved here.
            confirm: refuseTerminalApproval,
            ...live,
          });
    if (request.json) io.out(`${JSON.stringify(toAgentResult(result), null, 2)}\n`);
    else if (result.timedOut)
      io.err(
        `${io.errStyle.yellow('ironrun:')} "${request.id}" ran past its ttl and was killed.\n`,
      );
    return runExitCode(result);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
