import { homedir } from 'node:os';
import { relative } from 'node:path';
import { isInsideDir } from '@ironrun/core';
import { type MergeOutcome, readSettingsObject } from './mcp-configs.js';

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

/** What `init` hides from Claude Code's own tools and its sandbox. */
export interface ClaudeProtections {
  /** The secret files the policy's provider reads (the envfile). */
  readonly envfiles: readonly string[];
  /** The ironrun config folder (trust store, default secrets.env). */
  readonly configDir: string;
  /** The vault programs the providers declare (`op`, `doppler`, …). */
  readonly programs: readonly string[];
  /** The folders the vault CLIs keep their sessions and tokens in (`~/.config/op`, `~/.doppler`, …). */
  readonly vaultFolders?: readonly string[];
  /** The project folder: its `.claude/settings*.json` and `ironrun.yml` are made read-only to the agent. */
  readonly projectDir?: string;
}

/** The files and folders the agent must not read, as Claude Code rule paths (a folder as `dir/**`). */
function secretRulePaths(options: ClaudeProtections): string[] {
  return [
    ...options.envfiles.map((path) => claudeRulePath(path)),
    ...[options.configDir, ...(options.vaultFolders ?? [])].map(
      (folder) => `${claudeRulePath(folder)}/**`,
    ),
  ];
}

/** The project files the agent must not change: Claude Code's own settings and the policy. */
function projectRulePaths(options: ClaudeProtections): string[] {
  if (options.projectDir === undefined) return [];
  return [
    `${claudeRulePath(options.projectDir)}/.claude/settings*.json`,
    `${claudeRulePath(options.projectDir)}/ironrun.yml`,
  ];
}

/**
 * The `permissions.deny` rules `init` adds: a cheap first filter; `guard` does the real
 * matching. `Edit(…)` covers every tool that changes a file (Write, MultiEdit, NotebookEdit
 * too): Claude Code reads no `Write(…)` path rule.
 */
export function claudeDenyRules(options: ClaudeProtections): string[] {
  const rules = [
    ...options.programs.map((program) => `Bash(${program} *)`),
    'Bash(ironrun trust*)',
    'Bash(npx @ironrun/cli trust*)',
  ];
  for (const path of secretRulePaths(options)) rules.push(`Read(${path})`, `Edit(${path})`);
  for (const path of projectRulePaths(options)) rules.push(`Edit(${path})`);
  return rules;
}

/**
 * Claude Code's `sandbox.filesystem` lists for the same locations: they bind the commands
 * its sandbox runs (Bash), which the `Read`/`Edit` rules do not reach. They apply only once
 * the person enables the sandbox (`sandbox.enabled`); `init` does not enable it.
 */
export function claudeSandboxFilesystem(options: ClaudeProtections): {
  denyRead: string[];
  denyWrite: string[];
} {
  const secrets = secretRulePaths(options);
  return { denyRead: secrets, denyWrite: [...secrets, ...projectRulePaths(options)] };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Appends to `list` each of `values` it lacks; whether it added any. */
function appendMissing(list: unknown[], values: readonly string[]): boolean {
  let added = false;
  for (const value of values) {
    if (!list.includes(value)) {
      list.push(value);
      added = true;
    }
  }
  return added;
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
 * Merges the `guard` hook (`hooks.PreToolUse`), the deny rules
 * (`permissions.deny`) and the sandbox's `filesystem.denyRead`/`denyWrite`
 * into Claude Code's `.claude/settings.json`, keeping every other setting
 * (`sandbox.enabled` is never set). Idempotent: present entries are not added
 * again, so a second run leaves the file unchanged.
 */
export function mergeClaudeSettings(
  existing: string | undefined,
  options: {
    guardCommand: string;
    denyRules: readonly string[];
    sandbox?: { denyRead: readonly string[]; denyWrite: readonly string[] };
  },
): MergeOutcome {
  const read = readSettingsObject(existing, {
    notJson: 'not plain JSON; add the hook by hand',
    notObject: 'the file is not a JSON object; add the hook by hand',
  });
  if ('skipped' in read) return read.skipped;
  const settings = read.root;
  const hooks = (settings.hooks ?? {}) as Record<string, unknown>;
  const permissions = (settings.permissions ?? {}) as Record<string, unknown>;
  const sandbox = (settings.sandbox ?? {}) as Record<string, unknown>;
  const filesystem = (sandbox.filesystem ?? {}) as Record<string, unknown>;
  if (![hooks, permissions, sandbox, filesystem].every(isObject)) {
    return {
      status: 'skipped',
      note: '"hooks", "permissions" or "sandbox" is not an object; add them by hand',
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
  changed = appendMissing(deny, options.denyRules) || changed;
  const sandboxLists: Record<string, unknown[]> = {};
  for (const key of ['denyRead', 'denyWrite'] as const) {
    const wanted = options.sandbox?.[key] ?? [];
    if (wanted.length === 0) continue;
    const current = filesystem[key];
    if (current !== undefined && !Array.isArray(current)) {
      return {
        status: 'skipped',
        note: `"sandbox.filesystem.${key}" is not a list; add it by hand`,
      };
    }
    const list = [...((current as unknown[] | undefined) ?? [])];
    changed = appendMissing(list, wanted) || changed;
    sandboxLists[key] = list;
  }
  if (!changed) return { status: 'unchanged' };
  const merged = {
    ...settings,
    permissions: { ...permissions, deny },
    ...(Object.keys(sandboxLists).length === 0
      ? {}
      : { sandbox: { ...sandbox, filesystem: { ...filesystem, ...sandboxLists } } }),
    hooks: { ...hooks, PreToolUse: preToolUse },
  };
  return {
    status: existing === undefined || existing.trim() === '' ? 'create' : 'update',
    text: `${JSON.stringify(merged, null, 2)}\n`,
  };
}
