import {
  type AgentResult,
  type BrokerClient,
  createSealedSpawner,
  isIronrunError,
  listCommands,
  loadTrustedPolicy,
  runSealed,
  toAgentCommand,
  toAgentResult,
} from '@ironrun/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { elicitApproval } from './ask-approval.js';
import { defaultStateDir } from './default-state-dir.js';
import { FullOutputRecorder } from './full-output-recorder.js';
import { startProgressHeartbeat } from './progress-heartbeat.js';

/** Options of {@link createIronrunServer}. */
export interface IronrunServerOptions {
  /** Path of `ironrun.yml`. It is read again, and its trust checked again, on every tool call. */
  policyPath: string;
  /**
   * Loaders of built-in providers by name (see `runSealed`).
   * @default {}
   */
  providers?: Record<string, () => Promise<unknown>> | undefined;
  /**
   * Where trust records live.
   * @default defaultConfigDir() from `@ironrun/policy`
   */
  configDir?: string | undefined;
  /**
   * Where providers read their own credentials; never passed to commands.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Milliseconds between progress notifications of a running command (sent
   * only when the client asked for progress).
   * @default 5_000
   */
  heartbeatMs?: number | undefined;
  /**
   * Where the full redacted output of a run whose agent copy was cut is
   * saved (one folder per run, `stdout.log` and `stderr.log`, mode 0600),
   * returned as `full_output_path`; `false` saves nothing.
   * @default `${defaultStateDir()}/runs` ($XDG_STATE_HOME/ironrun/runs)
   */
  fullOutputDir?: string | false | undefined;
  /**
   * Bytes of each stream saved to the full-output file at most.
   * @default 64 MiB
   */
  fullOutputMaxBytes?: number | undefined;
  /**
   * Saved runs kept in `fullOutputDir`; older ones are removed.
   * @default 50
   */
  fullOutputKeep?: number | undefined;
  /**
   * How long a person has to answer an approval request.
   * @default 300_000
   */
  confirmTimeoutMs?: number | undefined;
  /**
   * How long the secret provider may take.
   * @default 30_000
   */
  resolveTimeoutMs?: number | undefined;
  /**
   * Forward every call to the broker of `ironrun agent` instead of running
   * it here (inside the confinement, where no secret or trust record can be
   * read). The broker checks trust, resolves secrets, runs and redacts;
   * `providers`, `configDir`, `env` and `resolveTimeoutMs` are then unused.
   * @default undefined: run here through `runSealed`
   */
  broker?: Pick<BrokerClient, 'listCommands' | 'runSealed'> | undefined;
  /**
   * Start each run through one sealed spawner (`createSealedSpawner()`,
   * started on the first run and closed with the server), so a run does not
   * fork the whole server; `false` spawns each run directly. Both give the
   * same isolation.
   * @default true
   */
  sealedSpawner?: boolean | undefined;
}

const serverVersion = '0.1.0';

const instructions = [
  'ironrun runs named commands from the project policy (ironrun.yml) in a sealed process with secrets injected at exec time.',
  'Call list_commands to see what can run, then run_sealed with an id. Every secret value in the output is replaced by [REDACTED].',
  'Output beyond a per-command limit is cut in the middle; full_output_path then holds the whole redacted output.',
  'A refused run (untrusted or changed policy, unknown id, rejected args, missing secret, declined approval) is an error result: nothing ran.',
  'Only a person at a terminal can trust a policy (ironrun trust); do not try to work around a refusal.',
].join(' ');

const runOutputShape = {
  exit_code: z
    .number()
    .int()
    .nullable()
    .describe('Exit code of the command; null when a signal ended it.'),
  signal: z.string().nullable().describe('The signal that ended the command, if any.'),
  duration_ms: z.number().describe('Wall time of the run in milliseconds.'),
  stdout: z.string().describe('Redacted stdout (head and tail when cut).'),
  stderr: z.string().describe('Redacted stderr (head and tail when cut).'),
  timed_out: z.boolean().describe('Whether the command ran past its ttl and was killed.'),
  truncated: z.boolean().describe('Whether output was cut from stdout or stderr.'),
  redactions: z.number().int().describe('How many secret occurrences were replaced.'),
  isolation: z
    .string()
    .optional()
    .describe('Which isolation the run had, e.g. "namespaces (native init, seccomp)".'),
  full_output_path: z
    .string()
    .optional()
    .describe('Folder holding the whole redacted stdout.log and stderr.log, when output was cut.'),
};

const commandShape = z.object({
  id: z.string(),
  description: z.string().optional(),
  argv: z.array(z.string()),
  env: z
    .array(z.string())
    .describe('Names of the variables the command receives (values are never shown).'),
  accepts_args: z.boolean(),
  args_pattern: z
    .string()
    .optional()
    .describe('Pattern each extra argument must match, when args are accepted.'),
  max_args: z
    .number()
    .int()
    .optional()
    .describe('How many extra arguments at most, when args are accepted.'),
  allow_options: z
    .boolean()
    .optional()
    .describe(
      'Whether an extra argument may start with "-" (only the options args_pattern itself admits, such as "-k").',
    ),
  ttl_ms: z.number(),
  no_network: z.boolean(),
  confirm: z.boolean().describe('Whether a person must approve each run.'),
  max_output: z.number().int().describe('Bytes of each stream returned.'),
});

/** What run_sealed returns: core's agent result, and where the whole output was saved when it was cut. */
interface RunOutput extends AgentResult {
  [key: string]: unknown;
  full_output_path?: string;
}

/** Turns a refusal into an error result; unknown errors are named, not quoted (they could hold anything). */
function refusal(error: unknown): CallToolResult {
  const text = isIronrunError(error)
    ? `${error.message} [${error.code}]`
    : `ironrun: internal error (${error instanceof Error ? error.name : typeof error}); nothing was returned from the command`;
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * Creates the ironrun MCP server with two tools:
 *
 * - `list_commands()`: the policy's commands as an agent may see them
 *   (ids, descriptions, whether extra args are accepted and their shape:
 *   `args_pattern`, `max_args`, `allow_options`; ttl, no_network, confirm;
 *   never a secret value or reference).
 * - `run_sealed({ id, args? })`: runs one command through `runSealed` and
 *   returns `{ exit_code, duration_ms, stdout, stderr, timed_out, truncated,
 *   redactions }` as `structuredContent` and as JSON text. A failing command
 *   is a normal result; a refused one is an `isError` result.
 *
 * The policy is read and its trust checked on every call. `confirm: true`
 * commands ask a person through elicitation when the client supports it, and
 * do not run otherwise. Long runs send progress notifications when the
 * client sent a progress token; a cancelled request kills the process tree.
 *
 * @example
 * const server = createIronrunServer({
 *   policyPath: '/repo/ironrun.yml',
 *   providers: { envfile: () => import('@ironrun/providers-envfile') },
 * });
 * await server.connect(new StdioServerTransport());
 */
export function createIronrunServer(options: IronrunServerOptions): McpServer {
  const server = new McpServer({ name: 'ironrun', version: serverVersion }, { instructions });
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const fullOutputDir =
    options.fullOutputDir === false
      ? undefined
      : (options.fullOutputDir ?? `${defaultStateDir()}/runs`);
  // Closing the connection kills whatever is still running.
  const closed = new AbortController();
  const spawner =
    options.broker === undefined && options.sealedSpawner !== false
      ? createSealedSpawner()
      : undefined;
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    closed.abort(new Error('the MCP connection closed'));
    void spawner?.close();
    previousOnClose?.();
  };

  server.registerTool(
    'list_commands',
    {
      title: 'List sealed commands',
      description:
        'Lists the commands of the project policy that run_sealed can run: id, description, argv, names of the ' +
        'environment variables they receive, whether extra args are accepted and their shape (args_pattern, max_args, ' +
        'allow_options), ttl, no_network and confirm. Never shows secret values.',
      outputSchema: { commands: z.array(commandShape) },
      annotations: {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async () => {
      try {
        const commands =
          options.broker === undefined
            ? listCommands(
                await loadTrustedPolicy(options.policyPath, {
                  configDir: options.configDir,
                  providers: options.providers,
                }),
              )
            : await options.broker.listCommands(options.policyPath);
        const structured = { commands: commands.map(toAgentCommand) };
        return {
          structuredContent: structured,
          content: [{ type: 'text', text: JSON.stringify(structured) }],
        };
      } catch (error) {
        return refusal(error);
      }
    },
  );

  server.registerTool(
    'run_sealed',
    {
      title: 'Run a sealed command',
      description:
        'Runs one named command from the project policy in a sealed process: secrets are injected at exec time and ' +
        'every secret value in stdout and stderr is replaced by [REDACTED]. Returns the exit code, duration and redacted ' +
        'output (head and tail when long). A non-zero exit is a normal result. Use list_commands for the ids. ' +
        'A command whose accepts_args is true takes extra arguments in args, appended to its argv: each one must ' +
        'match the whole of its args_pattern, at most max_args of them, and one starting with "-" only where ' +
        'allow_options is true and the pattern names it. A test command made by ironrun init typically takes test ' +
        'files inside the project and its runner\'s name filter, e.g. {"id":"test","args":["tests/test_api.py","-k","login"]}. ' +
        'Arguments that do not fit are refused (ARGS_REJECTED) and nothing runs.',
      inputSchema: {
        id: z.string().min(1).describe('The id of a command from list_commands.'),
        args: z
          .array(z.string())
          .optional()
          .describe(
            'Extra arguments appended to the command, one word each (no shell), only for commands whose ' +
              "accepts_args is true: each must match that command's args_pattern in full, at most max_args, " +
              'and none may start with "-" unless allow_options is true. Omit for none.',
          ),
      },
      outputSchema: runOutputShape,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async ({ id, args }, extra) => {
      const signal = AbortSignal.any([extra.signal, closed.signal]);
      let outputBytes = 0;
      const recorder =
        fullOutputDir === undefined
          ? undefined
          : new FullOutputRecorder({
              runsDir: fullOutputDir,
              label: id,
              maxBytes: options.fullOutputMaxBytes ?? 64 * 1024 * 1024,
              keep: options.fullOutputKeep ?? 50,
            });
      const stopHeartbeat = startProgressHeartbeat(extra, id, heartbeatMs, () => outputBytes);
      try {
        const onStdout = (chunk: Uint8Array) => {
          outputBytes += chunk.length;
          recorder?.stdout(chunk);
        };
        const onStderr = (chunk: Uint8Array) => {
          outputBytes += chunk.length;
          recorder?.stderr(chunk);
        };
        const result =
          options.broker === undefined
            ? await runSealed({
                policy: options.policyPath,
                commandId: id,
                args: args ?? [],
                providers: options.providers,
                env: options.env,
                configDir: options.configDir,
                resolveTimeoutMs: options.resolveTimeoutMs,
                confirm: elicitApproval(server.server, signal, options.confirmTimeoutMs ?? 300_000),
                signal,
                spawner,
                onStdout,
                onStderr,
              })
            : await options.broker.runSealed({
                policy: options.policyPath,
                commandId: id,
                args: args ?? [],
                signal,
                onStdout,
                onStderr,
              });
        let fullOutputPath: string | undefined;
        if (recorder !== undefined) {
          if (result.truncated) fullOutputPath = await recorder.save();
          else await recorder.discard();
        }
        const structured: RunOutput = {
          ...toAgentResult(result),
          ...(fullOutputPath === undefined ? {} : { full_output_path: fullOutputPath }),
        };
        return {
          structuredContent: structured,
          content: [{ type: 'text', text: JSON.stringify(structured) }],
        };
      } catch (error) {
        await recorder?.discard();
        return refusal(error);
      } finally {
        stopHeartbeat();
      }
    },
  );
  return server;
}
