import { closeSync, constants, openSync, read, readSync } from 'node:fs';
import {
  type cursorGuardEvents,
  cursorHookOutput,
  fromCursorInput,
  isCursorHookInput,
} from './cursor-hook.js';
import { fromGeminiInput, geminiHookOutput, isGeminiHookInput } from './gemini-hook.js';
import { decideGuard, type GuardDecision, type HookInput, hookOutput } from './guard-decision.js';
import { guardRules } from './guard-rules.js';

/** What one guard call prints and how it exits. */
export interface GuardOutcome {
  readonly stdout: string;
  readonly stderr: string;
  /** 0: `stdout` holds the decision (empty, or `{}` for Cursor, for no objection); 2: blocked, `stderr` says why. */
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
 * One hook call: reads the hook JSON (Claude Code's `PreToolUse`, one of
 * Cursor's {@link cursorGuardEvents}, or Gemini CLI's `BeforeTool`), decides, and says what to print in that
 * agent's format. Never throws and never allows on a failure: input that is
 * not a hook JSON, and any other failure (an unknown option, a bug), exits 2,
 * which Claude Code, Cursor and Gemini CLI all treat as "block"; a policy that does not
 * read denies every shell command.
 */
export async function runGuard(options: {
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  readInput: (maxBytes: number) => Promise<string>;
}): Promise<GuardOutcome> {
  try {
    const policy = policyOption(options.args);
    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(await options.readInput(maxInputBytes));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error('not an object');
      }
      parsed = value as Record<string, unknown>;
    } catch {
      // Whose input it is cannot be told, so it is denied in both ways: exit 2 blocks in
      // Claude Code and in Cursor; the deny JSON is there for a reader of stdout.
      const reason =
        'could not read the hook input (expected the hook JSON of Claude Code or Cursor on stdin).';
      return {
        stdout: hookOutput({ action: 'deny', reason: `ironrun guard: ${reason}` }),
        stderr: `ironrun guard: ${reason} The tool call is denied (the guard fails closed).\n`,
        code: 2,
      };
    }
    if (isCursorHookInput(parsed)) {
      const decision = await decideAll(fromCursorInput(parsed), policy, options.env, true);
      return { stdout: cursorHookOutput(decision), stderr: '', code: 0 };
    }
    if (isGeminiHookInput(parsed)) {
      const decision = await decideAll(fromGeminiInput(parsed), policy, options.env, true);
      return { stdout: geminiHookOutput(decision), stderr: '', code: 0 };
    }
    const decision = await decideAll([parsed as HookInput], policy, options.env, false);
    return { stdout: hookOutput(decision), stderr: '', code: 0 };
  } catch (error) {
    const what = error instanceof Error ? error.message : 'an unexpected failure';
    return blocked(`failed (${what}).`);
  }
}

/**
 * The first denial among `inputs` (one tool call may name several paths), else no
 * objection. `strict` (Cursor, Gemini CLI): a shell call without a command text, or a read without a
 * path, is denied, since the guard cannot tell what it does.
 */
async function decideAll(
  inputs: readonly HookInput[],
  policy: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  strict: boolean,
): Promise<GuardDecision> {
  for (const input of inputs) {
    const toolInput = input.tool_input ?? {};
    if (strict && input.tool_name === 'Bash' && typeof toolInput.command !== 'string') {
      return { action: 'deny', reason: 'ironrun guard: the shell call names no command text.' };
    }
    if (strict && input.tool_name === 'Read' && typeof toolInput.file_path !== 'string') {
      return { action: 'deny', reason: 'ironrun guard: the read names no file path.' };
    }
    const { rules, unreadablePolicy } = await guardRules(input, { policy, env });
    if (unreadablePolicy !== undefined && input.tool_name === 'Bash') {
      return {
        action: 'deny',
        reason: `ironrun guard: ${unreadablePolicy} Ask the person to fix ironrun.yml (the agent may not edit it) and check it with \`ironrun check\`.`,
      };
    }
    const decision = decideGuard(input, rules);
    if (decision.action === 'deny') return decision;
  }
  return { action: 'allow' };
}

/**
 * Reads this process's stdin, up to `maxBytes`. What an agent already wrote
 * and closed into a pipe is read at once through a non-blocking descriptor of
 * the same pipe (`/proc/self/fd/0`, Linux): no event loop turn. Whatever is
 * not there yet, and a socket (what Node, and so Claude Code, Cursor and Gemini
 * CLI, hand a child as its stdin; `/proc` cannot reopen one), is read with
 * `fs.read` on descriptor 0, which waits on libuv's thread pool: no stream is
 * set up (that cost more than the guard's decision), and the event loop, with
 * the entry's 10 s limit, keeps running, so a read never blocks the process.
 */
export async function readProcessStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const add = (buffer: Buffer) => {
    size += buffer.length;
    if (size > maxBytes) throw new Error(`hook input larger than ${maxBytes} bytes`);
    chunks.push(buffer);
  };
  if (!readReadyStdin(add)) await readRestOfStdin(add);
  return Buffer.concat(chunks).toString('utf8');
}

let pendingReads = 0;

/**
 * Whether a read of stdin is waiting on libuv's thread pool. The process then cannot end
 * with `process.exit`, which waits for the pool's threads, and so for an agent that never
 * closes the input (src/guard.ts ends it with SIGKILL instead).
 */
export function readingStdin(): boolean {
  return pendingReads > 0;
}

/** Reads descriptor 0 to its end on the thread pool (retrying after 1 ms should it be non-blocking and empty). */
function readRestOfStdin(add: (buffer: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = () => {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      pendingReads++;
      read(0, buffer, 0, buffer.length, null, (error, bytes) => {
        pendingReads--;
        if (error !== null) {
          if (error.code === 'EAGAIN') setTimeout(next, 1);
          else reject(error);
          return;
        }
        if (bytes === 0) {
          resolve();
          return;
        }
        try {
          add(buffer.subarray(0, bytes));
        } catch (failure) {
          reject(failure);
          return;
        }
        next();
      });
    };
    next();
  });
}

/** Reads stdin to its end without waiting; false when the rest must be waited for (or this cannot be done here). */
function readReadyStdin(add: (buffer: Buffer) => void): boolean {
  let fd: number;
  try {
    fd = openSync('/proc/self/fd/0', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        throw error;
      }
      if (read === 0) return true;
      add(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
