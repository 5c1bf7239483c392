import type { GuardDecision, HookInput } from './guard-decision.js';

/**
 * The Cursor hook events `init` registers the guard for (`.cursor/hooks.json`). Cursor's
 * names start in lower case; Claude Code's `PreToolUse` does not, so the two never clash.
 */
export const cursorGuardEvents = ['beforeShellExecution', 'beforeReadFile', 'preToolUse'] as const;

/** One of {@link cursorGuardEvents}. */
export type CursorGuardEvent = (typeof cursorGuardEvents)[number];

/** The part of a Cursor hook's stdin JSON that `guard` reads. */
export interface CursorHookInput {
  hook_event_name: CursorGuardEvent;
  /** beforeShellExecution: the command line, and the folder it runs in. */
  command?: unknown;
  cwd?: unknown;
  /** beforeReadFile: the file (its `content` is never read: it may hold the secrets). */
  file_path?: unknown;
  /** preToolUse: the tool and its arguments. */
  tool_name?: unknown;
  tool_input?: unknown;
  workspace_roots?: unknown;
}

/** Whether a parsed hook input is Cursor's (one of the events the guard is registered for). */
export function isCursorHookInput(
  input: Record<string, unknown>,
): input is Record<string, unknown> & CursorHookInput {
  return (cursorGuardEvents as readonly unknown[]).includes(input.hook_event_name);
}

/** Cursor's shell tool names (preToolUse); the guard reads their `command` as Bash's. */
const cursorShellTools = new Set(['Shell', 'Terminal', 'run_terminal_cmd', 'Bash']);

/** A key of a tool's arguments that names a file or folder. */
const pathKey =
  /(^|_)(path|paths|file|files|target_file|filepath|directory|dir|glob_pattern)$|Path$/i;

/** The path strings among a tool's arguments (top level, and lists of strings). */
function pathArguments(toolInput: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(toolInput)) {
    if (!pathKey.test(key)) continue;
    if (typeof value === 'string') paths.push(value);
    else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') paths.push(item);
    }
  }
  return paths;
}

/**
 * A Cursor hook input as the `PreToolUse`-shaped inputs the guard decides on: a shell
 * command as a `Bash` call; a read (beforeReadFile) as a `Read` call; any other tool
 * (preToolUse) as an `Edit` of each path its arguments name, so a write to a secret
 * location is denied as a read is. The folder is the command's `cwd`, else the first
 * workspace root. An input the guard cannot read as one of these is returned as a call it
 * must deny (`undefined` command), never dropped.
 */
export function fromCursorInput(input: CursorHookInput): HookInput[] {
  const roots = Array.isArray(input.workspace_roots) ? input.workspace_roots : [];
  const root = typeof roots[0] === 'string' ? roots[0] : undefined;
  const cwd = typeof input.cwd === 'string' && input.cwd !== '' ? input.cwd : root;
  const base = { hook_event_name: 'PreToolUse', ...(cwd === undefined ? {} : { cwd }) };
  if (input.hook_event_name === 'beforeShellExecution') {
    return [{ ...base, tool_name: 'Bash', tool_input: { command: input.command } }];
  }
  if (input.hook_event_name === 'beforeReadFile') {
    return [{ ...base, tool_name: 'Read', tool_input: { file_path: input.file_path } }];
  }
  const toolInput =
    typeof input.tool_input === 'object' &&
    input.tool_input !== null &&
    !Array.isArray(input.tool_input)
      ? (input.tool_input as Record<string, unknown>)
      : {};
  if (typeof input.tool_name === 'string' && cursorShellTools.has(input.tool_name)) {
    return [{ ...base, tool_name: 'Bash', tool_input: { command: toolInput.command } }];
  }
  return pathArguments(toolInput).map((path) => ({
    ...base,
    tool_name: 'Edit',
    tool_input: { file_path: path },
  }));
}

/**
 * What `guard` prints for Cursor (exit code 0): for a denial
 * `{"permission":"deny", "user_message", "agent_message"}`; for no objection `{}`, valid
 * JSON that makes no decision, so Cursor's own approval flow still applies
 * (`"permission":"allow"` would approve the call without asking the person).
 */
export function cursorHookOutput(decision: GuardDecision): string {
  if (decision.action === 'allow') return '{}\n';
  return `${JSON.stringify({
    permission: 'deny',
    user_message: `ironrun guard: ${decision.reason}`,
    agent_message: decision.reason,
  })}\n`;
}
