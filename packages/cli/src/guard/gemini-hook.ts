import type { GuardDecision, HookInput } from './guard-decision.js';

/** The part of a Gemini CLI `BeforeTool` hook's stdin JSON that `guard` reads. */
export interface GeminiHookInput {
  hook_event_name: 'BeforeTool';
  cwd?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
}

/** Whether a parsed hook input is Gemini CLI's `BeforeTool` (Claude Code's is `PreToolUse`). */
export function isGeminiHookInput(
  input: Record<string, unknown>,
): input is Record<string, unknown> & GeminiHookInput {
  return input.hook_event_name === 'BeforeTool';
}

/** A key of a tool's arguments that names a file or folder (`absolute_path`, `file_path`, `paths`, …). */
const pathKey = /(^|_)(path|paths|file|files|directory|dir)$/i;

function stringsAt(toolInput: Record<string, unknown>, test: (key: string) => boolean): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(toolInput)) {
    if (!test(key)) continue;
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') found.push(item);
    }
  }
  return found;
}

/**
 * A Gemini CLI `BeforeTool` input as the `PreToolUse`-shaped inputs the guard decides on:
 * `run_shell_command` as a `Bash` call (in its `directory`, else the session's `cwd`);
 * `glob` and `search_file_content` as `Glob` and `Grep` (their `pattern` matters); every
 * other tool as an `Edit` of each path its arguments name, so reads (`read_file`,
 * `read_many_files`) and writes (`write_file`, `replace`) of a secret location are denied
 * alike. MCP tools (`mcp__…`) name no local path the guard knows and get no objection.
 */
export function fromGeminiInput(input: GeminiHookInput): HookInput[] {
  const base = {
    hook_event_name: 'PreToolUse',
    ...(typeof input.cwd === 'string' ? { cwd: input.cwd } : {}),
  };
  const toolInput =
    typeof input.tool_input === 'object' &&
    input.tool_input !== null &&
    !Array.isArray(input.tool_input)
      ? (input.tool_input as Record<string, unknown>)
      : {};
  const name = typeof input.tool_name === 'string' ? input.tool_name : '';
  if (name === 'run_shell_command') {
    const directory = toolInput.directory;
    const command = toolInput.command;
    const cd =
      typeof directory === 'string' && directory !== ''
        ? `cd '${directory.replace(/'/g, "'\\''")}' && `
        : '';
    return [
      {
        ...base,
        tool_name: 'Bash',
        tool_input: { command: typeof command === 'string' ? `${cd}${command}` : command },
      },
    ];
  }
  if (name === 'glob' || name === 'search_file_content' || name === 'grep_search') {
    return [
      {
        ...base,
        tool_name: name === 'glob' ? 'Glob' : 'Grep',
        tool_input: {
          ...(typeof toolInput.pattern === 'string' ? { pattern: toolInput.pattern } : {}),
          ...(typeof toolInput.path === 'string'
            ? { path: toolInput.path }
            : typeof toolInput.dir_path === 'string'
              ? { path: toolInput.dir_path }
              : {}),
        },
      },
    ];
  }
  return stringsAt(toolInput, (key) => pathKey.test(key)).map((path) => ({
    ...base,
    tool_name: 'Edit',
    tool_input: { file_path: path },
  }));
}

/**
 * What `guard` prints for Gemini CLI (exit code 0): `{"decision":"deny","reason":…}` for a
 * denial (the reason is sent to the agent as the tool's error), `{}` otherwise.
 */
export function geminiHookOutput(decision: GuardDecision): string {
  if (decision.action === 'allow') return '{}\n';
  return `${JSON.stringify({ decision: 'deny', reason: decision.reason })}\n`;
}
