import { startConfinedAgent } from './agent/start-confined-agent.js';
import { processIo } from './cli-io.js';
import { reportError } from './report-error.js';

/** What the fast path passes to {@link startConfinedAgent}. */
export interface AgentRequest {
  /** The arguments after `agent`, as the full command gets them (its `rawArgs`). */
  rawArgs: string[];
  policy: string | undefined;
  confinement: string | undefined;
  dryRun: boolean;
}

/**
 * The command line of `ironrun agent` in the shapes the fast path takes as they are:
 * `agent [--policy <path> | --policy=<path>] [--confinement <kind> | --confinement=<kind>]
 * [--dry-run] -- <argv…>`, options in any order before `--`, each at most once, and a
 * non-empty argv after `--`. Anything else (`--help`, no `--`, an unknown or repeated option,
 * a stray argument, a value that looks like an option) is `undefined`: the full command
 * table parses it, with its usage text and its errors.
 */
export function fastAgentRequest(argv: readonly string[]): AgentRequest | undefined {
  if (argv[0] !== 'agent') return undefined;
  const dashes = argv.indexOf('--');
  if (dashes === -1 || dashes === argv.length - 1) return undefined;
  const own = argv.slice(1, dashes);
  const values: { policy?: string; confinement?: string } = {};
  let dryRun = false;
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] as string;
    if (arg === '--dry-run') {
      if (dryRun) return undefined;
      dryRun = true;
      continue;
    }
    const name = (['policy', 'confinement'] as const).find(
      (option) => arg === `--${option}` || arg.startsWith(`--${option}=`),
    );
    if (name === undefined || values[name] !== undefined) return undefined;
    const value = arg === `--${name}` ? own[++i] : arg.slice(name.length + 3);
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    values[name] = value;
  }
  return {
    rawArgs: argv.slice(1),
    policy: values.policy,
    confinement: values.confinement,
    dryRun,
  };
}

/**
 * `ironrun agent` without the command table: the bin loads this one file (built with core
 * and what the broker runs, see tsup.config.ts) instead of citty and a chain of chunks and
 * packages, so less runs before the agent starts. It resolves with the exit code, or
 * `undefined` when the command line is not one it takes ({@link fastAgentRequest}), for the
 * full CLI to handle. The start itself is {@link startConfinedAgent}, the same code the full
 * `agent` command calls: no check and no cover is skipped.
 */
export async function agentFast(argv: readonly string[]): Promise<number | undefined> {
  const request = fastAgentRequest(argv);
  if (request === undefined) return undefined;
  const io = processIo();
  try {
    return await startConfinedAgent({ io, ...request });
  } catch (error) {
    return reportError(error, io, false);
  }
}
