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

/** dist/guard.js next to this chunk; `undefined` where there is none (the single-file binary). */
function siblingGuard(): string | undefined {
  try {
    return fileURLToPath(new URL('./guard.js', import.meta.url));
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
 * `node_modules/@ironrun/cli/dist/guard.js`; the guard next to the running
 * CLI (its absolute path); the running single-file binary.
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
  const local = join(options.projectDir, 'node_modules', '@ironrun', 'cli', 'dist', 'guard.js');
  if (existsSync(local)) {
    return {
      command: `node ${options.projectDirWord ?? '"$CLAUDE_PROJECT_DIR"'}/node_modules/@ironrun/cli/dist/guard.js ${failClosedSuffix}`,
    };
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

/**
 * Rewrites, in `.claude/settings.json` text, an ironrun guard hook that can
 * fail open (no {@link failClosedSuffix}, e.g. `npx -y @ironrun/cli guard`)
 * to `command`. Returns the new text, or `undefined` when there is nothing to
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
  const preToolUse = (settings as { hooks?: { PreToolUse?: unknown } } | null)?.hooks?.PreToolUse;
  if (!Array.isArray(preToolUse)) return undefined;
  let changed = false;
  for (const entry of preToolUse) {
    const hooks = (entry as { hooks?: unknown } | null)?.hooks;
    if (!Array.isArray(hooks)) continue;
    for (const hook of hooks) {
      const current = (hook as { command?: unknown } | null)?.command;
      if (
        typeof current === 'string' &&
        current !== command &&
        /ironrun/.test(current) &&
        /guard/.test(current) &&
        !current.includes('exit 2')
      ) {
        (hook as { command: string }).command = command;
        changed = true;
      }
    }
  }
  return changed ? `${JSON.stringify(settings, null, 2)}\n` : undefined;
}
