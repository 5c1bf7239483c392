import { runsEsGuardEntry, runsIronrunGuard, upgradeGuardDefinitions } from './guard-hook.js';
import { type MergeOutcome, readSettingsObject } from './mcp-configs.js';

/**
 * Milliseconds Gemini CLI waits for the guard (its unit is ms). Longer than the guard's own
 * 10 s limit, after which it exits 2: a hook Gemini CLI times out would let the tool through.
 */
const guardTimeoutMs = 15_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a `BeforeTool` definition already runs an ironrun guard. */
function runsGuard(definition: unknown, command: string): boolean {
  if (!isObject(definition) || !Array.isArray(definition.hooks)) return false;
  return definition.hooks.some(
    (hook) =>
      isObject(hook) &&
      typeof hook.command === 'string' &&
      (hook.command === command || runsIronrunGuard(hook.command)),
  );
}

/**
 * Merges the guard into Gemini CLI's `.gemini/settings.json` as a `BeforeTool` hook for
 * every tool (no `matcher`). Gemini CLI blocks a tool on exit 2 and on
 * `{"decision":"deny"}`, and lets it through on any other failure, so `command` must end
 * in the `exit 2` fallback (init/guard-hook.ts). Every other setting and hook is kept;
 * a second run changes nothing, and a guard hook on the old ES entry `dist/guard.js` is
 * rewritten to `command` (one left). Hooks need a Gemini CLI that has them (and, in the
 * versions that gate them, hooks enabled).
 */
export function mergeGeminiHooks(existing: string | undefined, command: string): MergeOutcome {
  const read = readSettingsObject(existing, {
    notJson: 'not plain JSON (comments?); add the hook by hand',
    notObject: 'the file is not a JSON object; add the hook by hand',
  });
  if ('skipped' in read) return read.skipped;
  const { root } = read;
  const hooks = root.hooks ?? {};
  if (!isObject(hooks)) {
    return { status: 'skipped', note: '"hooks" is not an object; add the hook by hand' };
  }
  const listed = hooks.BeforeTool ?? [];
  if (!Array.isArray(listed)) {
    return { status: 'skipped', note: '"hooks.BeforeTool" is not a list; add the hook by hand' };
  }
  // A guard on the old ES entry (dist/guard.js) becomes `command`, once.
  const upgraded = upgradeGuardDefinitions(listed, command, runsEsGuardEntry);
  const beforeTool = upgraded ?? listed;
  if (beforeTool.some((definition) => runsGuard(definition, command))) {
    if (upgraded === undefined) return { status: 'unchanged' };
    return {
      status: 'update',
      text: `${JSON.stringify({ ...root, hooks: { ...hooks, BeforeTool: beforeTool } }, null, 2)}\n`,
    };
  }
  const definition = {
    hooks: [{ type: 'command', name: 'ironrun-guard', command, timeout: guardTimeoutMs }],
  };
  const merged = { ...root, hooks: { ...hooks, BeforeTool: [...beforeTool, definition] } };
  return {
    status: existing === undefined || existing.trim() === '' ? 'create' : 'update',
    text: `${JSON.stringify(merged, null, 2)}\n`,
  };
}
