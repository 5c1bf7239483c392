import { processIo } from './cli-io.js';
import { reportError } from './report-error.js';
import { type RunRequest, runNamed } from './run-named.js';

/**
 * The command line of `ironrun run` in the shapes the fast path takes as they are:
 * `run [--json] [--policy <path> | --policy=<path>] <id> [-- args…]`, options in any order
 * before `--`, each at most once. Anything else (`--help`, an unknown or repeated option, a
 * stray argument, a `--policy` value that looks like an option) is `undefined`: the full
 * command table parses it, with its usage text and its errors.
 */
export function fastRunRequest(argv: readonly string[]): RunRequest | undefined {
  if (argv[0] !== 'run') return undefined;
  const dashes = argv.indexOf('--');
  const own = dashes === -1 ? argv.slice(1) : argv.slice(1, dashes);
  const passthrough = dashes === -1 ? [] : argv.slice(dashes + 1);
  let id: string | undefined;
  let policy: string | undefined;
  let json = false;
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] as string;
    if (arg === '--json') {
      if (json) return undefined;
      json = true;
    } else if (arg === '--policy' || arg.startsWith('--policy=')) {
      if (policy !== undefined) return undefined;
      const value = arg === '--policy' ? own[++i] : arg.slice('--policy='.length);
      if (value === undefined || value === '' || value.startsWith('-')) return undefined;
      policy = value;
    } else if (arg.startsWith('-') || id !== undefined || arg === '') {
      return undefined;
    } else {
      id = arg;
    }
  }
  return id === undefined ? undefined : { id, policy, json, passthrough };
}

/**
 * `ironrun run` without the command table: the bin loads this one file (built with core and
 * what it runs, see tsup.config.ts) instead of citty and a chain of chunks and packages. It
 * resolves with the exit code, or `undefined` when the command line is not one it takes
 * ({@link fastRunRequest}), for the full CLI to handle. The run itself is {@link runNamed},
 * the same code the full `run` command calls: no check is skipped.
 */
export async function runFast(argv: readonly string[]): Promise<number | undefined> {
  const request = fastRunRequest(argv);
  if (request === undefined) return undefined;
  const io = processIo();
  try {
    return await runNamed(io, request);
  } catch (error) {
    return reportError(error, io, request.json);
  }
}
