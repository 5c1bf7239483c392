import { decideGuard, type HookInput, hookOutput } from './guard-decision.js';
import { guardRules } from './guard-rules.js';

/** What one guard call prints and how it exits. */
export interface GuardOutcome {
  readonly stdout: string;
  readonly stderr: string;
  /** 0: `stdout` holds the decision (empty for no objection); 2: blocked, `stderr` says why. */
  readonly code: 0 | 2;
}

const maxInputBytes = 4 * 1024 * 1024;

/** The options `ironrun guard` accepts: `--policy <path>` only. Anything else is a failure (and so a denial). */
function policyOption(args: readonly string[]): string | undefined {
  let policy: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--policy' && i + 1 < args.length) {
      policy = args[i + 1];
      i++;
    } else if (arg.startsWith('--policy=')) policy = arg.slice('--policy='.length);
    else throw new Error(`unknown option ${JSON.stringify(arg)}`);
  }
  return policy;
}

function blocked(reason: string): GuardOutcome {
  return {
    stdout: '',
    stderr: `ironrun guard: ${reason} The tool call is denied (the guard fails closed).\n`,
    code: 2,
  };
}

/**
 * One `PreToolUse` hook call: reads the hook JSON, decides, and says what to
 * print. Never throws and never allows on a failure: input that is not the
 * hook JSON gets the deny JSON; any other failure (an unknown option, a
 * policy that does not read, a bug) exits 2, which Claude Code treats as
 * "block" and shows the reason from stderr.
 */
export async function runGuard(options: {
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  readInput: (maxBytes: number) => Promise<string>;
}): Promise<GuardOutcome> {
  try {
    const policy = policyOption(options.args);
    let input: HookInput;
    try {
      const parsed: unknown = JSON.parse(await options.readInput(maxInputBytes));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('not an object');
      }
      input = parsed as HookInput;
    } catch {
      return {
        stdout: hookOutput({
          action: 'deny',
          reason:
            'ironrun guard: could not read the hook input (expected the PreToolUse JSON on stdin).',
        }),
        stderr: '',
        code: 0,
      };
    }
    const { rules, unreadablePolicy } = await guardRules(input, { policy, env: options.env });
    if (unreadablePolicy !== undefined && input.tool_name === 'Bash') {
      return {
        stdout: hookOutput({
          action: 'deny',
          reason: `ironrun guard: ${unreadablePolicy} Ask the person to fix ironrun.yml (the agent may not edit it) and check it with \`ironrun check\`.`,
        }),
        stderr: '',
        code: 0,
      };
    }
    return { stdout: hookOutput(decideGuard(input, rules)), stderr: '', code: 0 };
  } catch (error) {
    const what = error instanceof Error ? error.message : 'an unexpected failure';
    return blocked(`failed (${what}).`);
  }
}

/** Reads this process's stdin, up to `maxBytes`. */
export async function readProcessStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) throw new Error(`hook input larger than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
