import { resolve } from 'node:path';
import * as core from '@actions/core';
import type { Policy } from '@ironrun/core';
import {
  defaultConfigDir,
  isInsideRealDir,
  isIronrunError,
  type RunResult,
  runSealed,
} from '@ironrun/core';
import { ActionError, isActionError } from './action-error.js';
import { loadActionPolicy } from './action-policy.js';
import { builtinProviders } from './builtin-providers.js';
import { type EnvfileCopy, writeEnvfileCopy } from './envfile-copy.js';
import { type ActionInputs, credentialInputs, readInputs } from './inputs.js';
import { type RunReport, writeJobSummary } from './job-summary.js';
import { providerEnv } from './provider-env.js';
import { registerMasks } from './register-masks.js';
import { openWorkflowCommandFence } from './workflow-command-fence.js';

/** Where {@link runAction} runs: the runner's process by default. */
export interface RunActionOptions {
  /**
   * The environment the action was started with (inputs, `RUNNER_TEMP`, the
   * step's `env:`). Credential inputs are deleted from it once read.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The workspace; a relative `policy` input is resolved from here.
   * @default process.cwd()
   */
  cwd?: string;
  /** Cancels the run; the action wires it to SIGINT and SIGTERM (a cancelled job). */
  signal?: AbortSignal;
}

/**
 * The whole action: reads the inputs, loads the policy (checking trust in
 * `pinned` mode), resolves the command's secrets through the policy's
 * provider, registers every value and its encodings with the runner's log
 * masking before the command starts, runs it sealed with its redacted output
 * streamed to the log, then sets the outputs and the job summary and fails
 * the step when the command failed, timed out, was canceled or was refused.
 * Refusals and failures are reported through `@actions/core` (`::error::`,
 * exit code 1); only an unexpected error (a bug) is thrown.
 */
export async function runAction(options: RunActionOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();

  let inputs: ActionInputs;
  try {
    inputs = readInputs((name) => core.getInput(name, { trimWhitespace: false }));
  } catch (error) {
    if (!isActionError(error)) throw error;
    core.setFailed(error.message);
    return;
  }
  for (const value of Object.values(inputs.credentials)) registerMasks([value], core.setSecret);
  // Nothing started from here on needs them in the environment.
  for (const name of [...credentialInputs, 'envfile']) delete env[`INPUT_${name.toUpperCase()}`];

  const fence = openWorkflowCommandFence(process);
  let envfile: EnvfileCopy | undefined;
  let result: RunResult;
  let policy: Policy | undefined;
  try {
    const policyPath = resolve(cwd, inputs.policy);
    const pinned = inputs.trust === 'pinned';
    const configDir = inputs.trustDir === '' ? undefined : resolve(cwd, inputs.trustDir);
    if (pinned)
      await refuseStoreInWorkspace(configDir ?? defaultConfigDir(env), env.GITHUB_WORKSPACE || cwd);
    policy = await loadActionPolicy(policyPath, {
      mode: inputs.trust,
      configDir,
      commandId: inputs.command,
    });
    if (inputs.envfile.trim() !== '') {
      if (policy.provider.name !== 'envfile') {
        throw new ActionError(
          'INPUT_INVALID',
          `Input "envfile" is for the envfile provider, but ${inputs.policy} uses provider '${policy.provider.name}'.`,
        );
      }
      envfile = await writeEnvfileCopy(inputs.envfile, env.RUNNER_TEMP || undefined);
    }
    // pinned: the path, so core checks the trust again and reads the policy
    // only after that check. The envfile input needs the parsed policy
    // pointed at its copy; loadActionPolicy has just checked it.
    const byPath = pinned && envfile === undefined;
    result = await runSealed({
      policy: byPath ? policyPath : (envfile?.applyTo(policy) ?? policy),
      commandId: inputs.command,
      args: inputs.args,
      providers: { ...builtinProviders },
      env: providerEnv(inputs, policy, env),
      skipTrust: !byPath, // workflow: trusted by the workflow; envfile: checked by loadActionPolicy
      configDir,
      // Whatever the provider, every value is masked before the command's
      // first byte of output; if masking fails, the command does not start.
      onSecretsResolved: (values) => {
        registerMasks(values, core.setSecret);
        // The provider has read the file; the command must not find it.
        envfile?.removeSync();
      },
      onStdout: fence.stdout,
      onStderr: fence.stderr,
      signal: options.signal,
    });
  } catch (error) {
    fence.close();
    if (!isIronrunError(error) && !isActionError(error)) throw error;
    core.setFailed(error.message);
    await writeSummary({
      command: inputs.command,
      outcome: 'refused',
      exitCode: null,
      durationMs: null,
      redactions: 0,
      timedOut: false,
      errorCode: error.code,
    });
    return;
  } finally {
    fence.close();
    await envfile?.remove();
  }

  core.setOutput('exit-code', result.exitCode === null ? '' : String(result.exitCode));
  core.setOutput('duration-ms', String(result.durationMs));
  core.setOutput('redactions', String(result.redactions));
  core.setOutput('timed-out', String(result.timedOut));

  const outcome: RunReport['outcome'] = result.timedOut
    ? 'timed out'
    : result.canceled
      ? 'canceled'
      : result.exitCode === 0
        ? 'passed'
        : 'failed';
  await writeSummary({
    command: inputs.command,
    outcome,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    redactions: result.redactions,
    timedOut: result.timedOut,
  });

  const id = JSON.stringify(inputs.command);
  if (result.timedOut) {
    const ttlMs = policy.commands.find((command) => command.id === inputs.command)?.ttlMs;
    core.setFailed(
      `ironrun: ${id} timed out${ttlMs === undefined ? '' : ` after its ttl of ${ttlMs} ms`} and was killed`,
    );
  } else if (result.canceled) {
    core.setFailed(`ironrun: ${id} was canceled and killed`);
  } else if (result.exitCode === null) {
    core.setFailed(`ironrun: ${id} was ended by signal ${result.signal ?? 'unknown'}`);
  } else if (result.exitCode !== 0) {
    core.setFailed(`ironrun: ${id} failed with exit code ${result.exitCode}`);
  } else {
    core.info(`ironrun: ${id} passed in ${result.durationMs} ms (${result.redactions} redactions)`);
  }
}

async function writeSummary(report: RunReport): Promise<void> {
  // No summary file (a local run): the log already says everything.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await writeJobSummary(core.summary, report);
}

/**
 * In `pinned` mode the trust records must come from outside the checkout: a
 * pull request (a fork's included) can ship records of its own beside its
 * policy, which would vouch for whatever it changed.
 */
async function refuseStoreInWorkspace(configDir: string, workspace: string): Promise<void> {
  if (!(await isInsideRealDir(resolve(workspace), configDir))) return;
  throw new ActionError(
    'INPUT_INVALID',
    `Input "trust-dir" (or the default trust folder) ${configDir} is inside the workspace ${workspace}, where the change under test can write its own trust records. Use a folder outside the checkout: a cache or artifact of a protected workflow, or a self-hosted runner's own folder.`,
  );
}
