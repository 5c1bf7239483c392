import { existsSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Launchers that fetch a package on demand: a hook through one of them can fail to start, and would be slow. */
const fetchingLaunchers = new Set(['npx', 'pnpx', 'bunx', 'dlx']);

/** Quotes `word` for `sh`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The suffix that makes the hook fail closed: Claude Code blocks a tool call
 * only on exit code 2 (any other failure, such as 127 for a missing binary,
 * lets the call through), so every failure of the guard becomes exit 2.
 */
export const failClosedSuffix =
  "|| { echo 'ironrun guard could not run, so the tool call is denied. Reinstall @ironrun/cli or run `ironrun init` again.' >&2; exit 2; }";

/** dist/guard.cjs next to this chunk; `undefined` where there is none (the single-file binary). */
function siblingGuard(): string | undefined {
  try {
    return fileURLToPath(new URL('./guard.cjs', import.meta.url));
  } catch {
    return undefined;
  }
}

/** The guard hook command `init` registers, and a note when it is not a lasting choice. */
export interface GuardHook {
  readonly command: string;
  readonly note?: string;
}

/**
 * The `PreToolUse` hook command for Claude Code: the installed ironrun, run
 * directly (never through `npx -y`), followed by {@link failClosedSuffix}.
 * In order: `--bin` when it names an installed command; the project's own
 * `node_modules/@ironrun/cli/dist/guard.cjs` (`dist/guard.js` for an install older than
 * that entry); the guard next to the running CLI (its absolute path); the running
 * single-file binary. `dist/guard.cjs` is CommonJS, which Node starts faster than an ES
 * module; `dist/guard.js` now only loads it.
 */
export function guardHookCommand(options: {
  projectDir: string;
  bin?: readonly string[];
  execPath?: string;
  guardEntry?: string;
  /**
   * How the hook names the project folder, as a shell word. @default `"$CLAUDE_PROJECT_DIR"`
   * (Claude Code sets it; other agents get the folder's quoted absolute path).
   */
  projectDirWord?: string;
}): GuardHook {
  const execPath = options.execPath ?? process.execPath;
  const bin = options.bin;
  if (bin !== undefined && bin.length > 0 && !fetchingLaunchers.has(basename(bin[0] as string))) {
    return { command: `${[...bin, 'guard'].map(shellQuote).join(' ')} ${failClosedSuffix}` };
  }
  for (const file of ['guard.cjs', 'guard.js']) {
    if (existsSync(join(options.projectDir, 'node_modules', '@ironrun', 'cli', 'dist', file))) {
      return {
        command: `node ${options.projectDirWord ?? '"$CLAUDE_PROJECT_DIR"'}/node_modules/@ironrun/cli/dist/${file} ${failClosedSuffix}`,
      };
    }
  }
  const entry = options.guardEntry ?? siblingGuard();
  if (entry !== undefined && existsSync(entry)) {
    const real = realpathSync(entry);
    const command = `${shellQuote(execPath)} ${shellQuote(real)} ${failClosedSuffix}`;
    if (/[/\\]_npx[/\\]/.test(real)) {
      return {
        command,
        note: "points into npx's cache; install @ironrun/cli in the project (npm i -D @ironrun/cli) and run init again, or the guard denies every tool call once the cache is cleaned",
      };
    }
    return { command };
  }
  // The single-file binary: it is its own guard.
  return { command: `${shellQuote(execPath)} guard ${failClosedSuffix}` };
}

/** Whether a hook command runs an ironrun guard, with any launcher (every command `init` writes does). */
export function runsIronrunGuard(command: string): boolean {
  return /ironrun/.test(command) && /guard/.test(command);
}

/**
 * Whether an ironrun guard hook command runs the ES entry `dist/guard.js`, which
 * `dist/guard.cjs` replaced: it still works (it loads the `.cjs`), but costs Node's ES
 * loader on every tool call, so `init` rewrites it to the current command.
 */
export function runsEsGuardEntry(command: string): boolean {
  return runsIronrunGuard(command) && /[/\\]dist[/\\]guard\.js(?![\w.-])/.test(command);
}

function commandOf(hook: unknown): string | undefined {
  const command = (hook as { command?: unknown } | null)?.command;
  return typeof hook === 'object' && typeof command === 'string' ? command : undefined;
}

/**
 * Brings the ironrun guard hooks in `lists` (hook objects with a `command`, e.g. the
 * `hooks` of each definition for one event) up to `command`: the first hook whose command
 * `isOutdated` says is outdated is rewritten to `command`, unless some list already runs
 * `command`; every other outdated one is dropped, so the event ends with one guard. The
 * other fields of a rewritten hook and all other hooks are kept. `undefined` when nothing
 * is outdated.
 */
export function upgradeGuardHooks(
  lists: readonly (readonly unknown[])[],
  command: string,
  isOutdated: (current: string) => boolean,
): unknown[][] | undefined {
  let present = lists.some((list) => list.some((hook) => commandOf(hook) === command));
  let changed = false;
  const next = lists.map((list) =>
    list.flatMap((hook) => {
      const current = commandOf(hook);
      if (current === undefined || current === command || !isOutdated(current)) return [hook];
      changed = true;
      if (present) return [];
      present = true;
      return [{ ...(hook as object), command }];
    }),
  );
  return changed ? next : undefined;
}

/**
 * {@link upgradeGuardHooks} over hook definitions that each hold a `hooks` list (Claude
 * Code's `PreToolUse`, Gemini CLI's `BeforeTool`); a definition left with no hooks is
 * dropped. `undefined` when nothing is outdated.
 */
export function upgradeGuardDefinitions(
  definitions: readonly unknown[],
  command: string,
  isOutdated: (current: string) => boolean,
): unknown[] | undefined {
  const hooksOf = (definition: unknown): unknown[] | undefined => {
    const hooks = (definition as { hooks?: unknown } | null)?.hooks;
    return typeof definition === 'object' && Array.isArray(hooks) ? hooks : undefined;
  };
  const upgraded = upgradeGuardHooks(
    definitions.map((definition) => hooksOf(definition) ?? []),
    command,
    isOutdated,
  );
  if (upgraded === undefined) return undefined;
  return definitions.flatMap((definition, index) => {
    const before = hooksOf(definition);
    const after = upgraded[index] as unknown[];
    const unchanged =
      before === undefined ||
      (after.length === before.length && after.every((hook, i) => hook === before[i]));
    if (unchanged) return [definition];
    return after.length === 0 ? [] : [{ ...(definition as object), hooks: after }];
  });
}

/**
 * Rewrites, in `.claude/settings.json` text, an ironrun guard hook that can
 * fail open (no {@link failClosedSuffix}, e.g. `npx -y @ironrun/cli guard`) or that runs
 * the old ES entry `dist/guard.js` ({@link runsEsGuardEntry}) to `command`, leaving one
 * guard hook. Returns the new text, or `undefined` when there is nothing to
 * rewrite (or the text is not a JSON object: the merge reports that).
 */
export function replaceFailOpenGuard(
  existing: string | undefined,
  command: string,
): string | undefined {
  if (existing === undefined || existing.trim() === '') return undefined;
  let settings: unknown;
  try {
    settings = JSON.parse(existing);
  } catch {
    return undefined;
  }
  const hooks = (settings as { hooks?: { PreToolUse?: unknown } } | null)?.hooks;
  const preToolUse = hooks?.PreToolUse;
  if (!Array.isArray(preToolUse)) return undefined;
  const upgraded = upgradeGuardDefinitions(
    preToolUse,
    command,
    (current) =>
      runsIronrunGuard(current) && (!current.includes('exit 2') || runsEsGuardEntry(current)),
  );
  if (upgraded === undefined) return undefined;
  (hooks as { PreToolUse: unknown }).PreToolUse = upgraded;
  return `${JSON.stringify(settings, null, 2)}\n`;
}
