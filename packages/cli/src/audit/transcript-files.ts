import { opendir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One place an agent keeps chats on disk. */
export interface TranscriptRoot {
  readonly path: string;
  readonly agent: string;
  /** File name endings scanned there. */
  readonly extensions: string[];
  /** True for binary stores (SQLite, protobuf): scanned byte-wise, never rewritten by `--fix`. */
  readonly binary?: boolean;
}

/** The user-data folder of a VS Code-family editor (`Code`, `Cursor`, `Windsurf`). */
function editorUserDir(home: string, name: string, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', name, 'User');
  if (platform === 'win32') return join(home, 'AppData', 'Roaming', name, 'User');
  return join(home, '.config', name, 'User');
}

const sqlite = ['.vscdb', '.vscdb-wal', '.db', '.db-wal'];

/**
 * Where agents keep their chats, scanned by `ironrun audit` when no path is
 * given: Claude Code (`~/.claude/projects/**\/*.jsonl`), Codex
 * (`~/.codex/sessions`, `history.jsonl`), Gemini CLI (`~/.gemini/tmp/<project>/chats`,
 * checkpoints, `~/.gemini/history`), Cursor (agent transcripts under
 * `~/.cursor/projects`, chat databases under `~/.cursor/chats`, and the
 * editor's `state.vscdb` stores), VS Code (Copilot Chat's `chatSessions`
 * JSON and `state.vscdb` under `workspaceStorage` and `globalStorage`) and
 * Windsurf (its `state.vscdb` stores and `~/.codeium/windsurf/cascade`).
 */
export function defaultTranscriptRoots(
  home: string = homedir(),
  platform: NodeJS.Platform = process.platform,
): TranscriptRoot[] {
  const roots: TranscriptRoot[] = [
    { path: join(home, '.claude', 'projects'), agent: 'Claude Code', extensions: ['.jsonl'] },
    { path: join(home, '.codex', 'sessions'), agent: 'Codex', extensions: ['.jsonl'] },
    { path: join(home, '.codex', 'history.jsonl'), agent: 'Codex', extensions: ['.jsonl'] },
    { path: join(home, '.gemini', 'tmp'), agent: 'Gemini CLI', extensions: ['.json', '.jsonl'] },
    {
      path: join(home, '.gemini', 'history'),
      agent: 'Gemini CLI',
      extensions: ['.json', '.jsonl'],
    },
    {
      path: join(home, '.cursor', 'projects'),
      agent: 'Cursor',
      extensions: ['.jsonl', '.json', '.txt'],
    },
    { path: join(home, '.cursor', 'chats'), agent: 'Cursor', extensions: sqlite, binary: true },
  ];
  for (const [agent, name] of [
    ['Cursor', 'Cursor'],
    ['VS Code', 'Code'],
    ['Windsurf', 'Windsurf'],
  ] as const) {
    const user = editorUserDir(home, name, platform);
    for (const storage of ['workspaceStorage', 'globalStorage']) {
      roots.push({ path: join(user, storage), agent, extensions: ['.json', '.jsonl'] });
      roots.push({ path: join(user, storage), agent, extensions: sqlite, binary: true });
    }
  }
  roots.push({
    path: join(home, '.codeium', 'windsurf', 'cascade'),
    agent: 'Windsurf',
    extensions: ['.pb'],
    binary: true,
  });
  return roots;
}

/**
 * Every regular file under `root` (or `root` itself when it is a file), not
 * following symbolic links; with `extensions`, only files ending in one.
 */
export async function* transcriptFiles(
  root: string,
  extensions?: readonly string[],
): AsyncGenerator<string> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(root);
  } catch {
    return;
  }
  if (info.isFile()) {
    yield root;
    return;
  }
  if (!info.isDirectory()) return;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir);
    } catch {
      continue;
    }
    const names: { name: string; dir: boolean; file: boolean }[] = [];
    for await (const entry of handle) {
      names.push({ name: entry.name, dir: entry.isDirectory(), file: entry.isFile() });
    }
    names.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of names.reverse()) {
      const path = join(dir, entry.name);
      if (entry.dir) pending.push(path);
      else if (
        entry.file &&
        (extensions === undefined || extensions.some((ext) => entry.name.endsWith(ext)))
      ) {
        yield path;
      }
    }
  }
}
