import { opendir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where agents keep their transcripts, scanned by `ironrun audit` when no path is given. */
export function defaultTranscriptRoots(
  home: string = homedir(),
): { path: string; agent: string; extensions: string[] }[] {
  return [
    { path: join(home, '.claude', 'projects'), agent: 'Claude Code', extensions: ['.jsonl'] },
    { path: join(home, '.codex', 'sessions'), agent: 'Codex', extensions: ['.jsonl'] },
    { path: join(home, '.codex', 'history.jsonl'), agent: 'Codex', extensions: ['.jsonl'] },
    { path: join(home, '.gemini', 'tmp'), agent: 'Gemini CLI', extensions: ['.json', '.jsonl'] },
  ];
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
