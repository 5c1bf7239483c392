import { homedir } from 'node:os';
import { relative } from 'node:path';
import { isInsideDir } from '@ironrun/core';
import type { MergeOutcome } from './mcp-configs.js';

/** The tools `guard` is registered for in `.claude/settings.json`. */
export const guardMatcher = 'Bash|Read|Edit|MultiEdit|Write|NotebookEdit|Grep|Glob';

/**
 * A path as a Claude Code permission rule path: `~/x` under the home folder,
 * `//abs/x` elsewhere (a single leading `/` would mean "relative to the
 * settings file").
 */
export function claudeRulePath(path: string, home: string = homedir()): string {
  const rel = relative(home, path);
  if (rel !== '' && isInsideDir(home, path)) return `~/${rel.split('\\').join('/')}`;
  return `/${path}`;
}

/** The `permissions.deny` rules `init --claude-hooks` adds: a cheap first filter; `guard` does the real matching. */
export function claudeDenyRules(options: {
  envfiles: readonly string[];
  configDir: string;
}): string[] {
  const rules = [
    'Bash(op *)',
    'Bash(doppler *)',
    'Bash(infisical *)',
    'Bash(ironrun trust*)',
    'Bash(npx @ironrun/cli trust*)',
  ];
  for (const path of [...options.envfiles]) {
    rules.push(`Read(${claudeRulePath(path)})`, `Edit(${claudeRulePath(path)})`);
  }
  const configRule = `${claudeRulePath(options.configDir)}/**`;
  rules.push(`Read(${configRule})`, `Edit(${configRule})`);
  return rules;
}

function hasGuard(entries: unknown[], command: string): boolean {
  return entries.some((entry) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const hooks = (entry as { hooks?: unknown }).hooks;
    return (
      Array.isArray(hooks) &&
      hooks.some(
        (hook) =>
          typeof hook === 'object' &&
          hook !== null &&
          typeof (hook as { command?: unknown }).command === 'string' &&
          ((hook as { command: string }).command === command ||
            (/ guard(\s|$)/.test((hook as { command: string }).command) &&
              /ironrun/.test((hook as { command: string }).command))),
      )
    );
  });
}

/**
 * Merges the `guard` hook (`hooks.PreToolUse`) and the deny rules
 * (`permissions.deny`) into Claude Code's `.claude/settings.json`, keeping
 * every other setting. Idempotent: present entries are not added again.
 */
export function mergeClaudeSettings(
  existing: string | undefined,
  options: { guardCommand: string; denyRules: readonly string[] },
): MergeOutcome {
  let settings: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(existing);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { status: 'skipped', note: 'the file is not a JSON object; add the hook by hand' };
      }
      settings = parsed as Record<string, unknown>;
    } catch {
      return { status: 'skipped', note: 'not plain JSON; add the hook by hand' };
    }
  }
  const hooks = (settings.hooks ?? {}) as Record<string, unknown>;
  const permissions = (settings.permissions ?? {}) as Record<string, unknown>;
  if (
    typeof hooks !== 'object' ||
    Array.isArray(hooks) ||
    typeof permissions !== 'object' ||
    Array.isArray(permissions)
  ) {
    return {
      status: 'skipped',
      note: '"hooks" or "permissions" is not an object; add them by hand',
    };
  }
  const preToolUse = Array.isArray(hooks.PreToolUse) ? [...hooks.PreToolUse] : [];
  const deny = Array.isArray(permissions.deny) ? [...(permissions.deny as unknown[])] : [];
  let changed = false;
  if (!hasGuard(preToolUse, options.guardCommand)) {
    preToolUse.push({
      matcher: guardMatcher,
      hooks: [{ type: 'command', command: options.guardCommand }],
    });
    changed = true;
  }
  for (const rule of options.denyRules) {
    if (!deny.includes(rule)) {
      deny.push(rule);
      changed = true;
    }
  }
  if (!changed) return { status: 'unchanged' };
  const merged = {
    ...settings,
    permissions: { ...permissions, deny },
    hooks: { ...hooks, PreToolUse: preToolUse },
  };
  return {
    status: existing === undefined || existing.trim() === '' ? 'create' : 'update',
    text: `${JSON.stringify(merged, null, 2)}\n`,
  };
}
