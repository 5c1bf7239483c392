import { join } from 'node:path';
import { cursorGuardEvents } from '../guard/cursor-hook.js';
import { type FilePlan, fromOutcome, readOptional } from './agent-configs.js';
import {
  guardHookCommand,
  runsEsGuardEntry,
  runsIronrunGuard,
  shellQuote,
  upgradeGuardHooks,
} from './guard-hook.js';
import { type MergeOutcome, readSettingsObject } from './mcp-configs.js';

/** Seconds Cursor waits for the guard before the call fails (and, with `failClosed`, is blocked). */
const guardTimeoutSec = 10;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a hook entry runs an ironrun guard (this command, or one `init` wrote with another launcher). */
function isGuardEntry(entry: unknown, command: string): boolean {
  if (!isObject(entry) || typeof entry.command !== 'string') return false;
  return entry.command === command || runsIronrunGuard(entry.command);
}

/**
 * Merges the guard into Cursor's `.cursor/hooks.json` (`version: 1`) for each of
 * {@link cursorGuardEvents}: shell commands, file reads and every other tool call. Each
 * entry has `failClosed: true` (Cursor blocks the call when the hook cannot start, crashes,
 * times out or prints no JSON), and `command` fails closed by itself too (exit 2, which
 * Cursor treats as "block"). Every other hook is kept; an event that already runs an
 * ironrun guard gets no second one, so a second run leaves the file unchanged. A guard
 * hook on the old ES entry `dist/guard.js` is rewritten to `command` (one per event).
 */
export function mergeCursorHooks(existing: string | undefined, command: string): MergeOutcome {
  const read = readSettingsObject(existing, {
    notJson: 'not plain JSON; add the hooks by hand',
    notObject: 'the file is not a JSON object; add the hooks by hand',
  });
  if ('skipped' in read) return read.skipped;
  const { root } = read;
  if (root.version !== undefined && root.version !== 1) {
    return {
      status: 'skipped',
      note: `hooks.json version ${String(root.version)} is not 1; add the hooks by hand`,
    };
  }
  const hooks = root.hooks ?? {};
  if (!isObject(hooks)) {
    return { status: 'skipped', note: '"hooks" is not an object; add the hooks by hand' };
  }
  const merged: Record<string, unknown> = { ...hooks };
  let changed = false;
  for (const event of cursorGuardEvents) {
    const current = merged[event] ?? [];
    if (!Array.isArray(current)) {
      return { status: 'skipped', note: `"hooks.${event}" is not a list; add the hooks by hand` };
    }
    // A guard on the old ES entry (dist/guard.js) becomes `command`, once.
    const upgraded = upgradeGuardHooks([current], command, runsEsGuardEntry)?.[0];
    if (upgraded !== undefined) {
      merged[event] = upgraded;
      changed = true;
    }
    if ((upgraded ?? current).some((entry) => isGuardEntry(entry, command))) continue;
    merged[event] = [...current, { command, timeout: guardTimeoutSec, failClosed: true }];
    changed = true;
  }
  if (!changed) return { status: 'unchanged' };
  const text = `${JSON.stringify({ ...root, version: 1, hooks: merged }, null, 2)}\n`;
  return { status: existing === undefined || existing.trim() === '' ? 'create' : 'update', text };
}

/**
 * The `.cursor/hooks.json` plan: the installed guard (init/guard-hook.ts, never `npx -y`),
 * with the project named by its absolute path (Cursor sets no `$CLAUDE_PROJECT_DIR`).
 */
export async function cursorHooksPlan(
  dir: string,
  bin: readonly string[] | undefined,
): Promise<FilePlan> {
  const path = join(dir, '.cursor', 'hooks.json');
  const hook = guardHookCommand({
    projectDir: dir,
    projectDirWord: shellQuote(dir),
    ...(bin === undefined ? {} : { bin }),
  });
  const plan = fromOutcome(path, mergeCursorHooks(await readOptional(path), hook.command));
  return hook.note === undefined ? plan : { ...plan, note: hook.note };
}
