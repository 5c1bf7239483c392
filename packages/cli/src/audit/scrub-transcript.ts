import { randomBytes } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Redactor } from '@ironrun/core';
import { decodedViews } from './leak-scanner.js';

type CreateRedactor = (options: { secrets: Iterable<string> }) => Redactor;

/** What `audit --fix` did to one file. Never a value. */
export type ScrubOutcome =
  | { file: string; status: 'scrubbed'; backup: string; linesReplaced: number }
  | { file: string; status: 'refused'; reason: string };

const binaryEndings = ['.vscdb', '.vscdb-wal', '.db', '.db-wal', '.pb'];
/** The line that stands in for a JSONL line whose secret could not be cut out of it. */
const removedLine = JSON.stringify({
  type: 'ironrun-removed',
  note: 'ironrun audit --fix removed this line: it held a secret in a form that could not be cut out',
});

/** `value` JSON-escaped `depth` times, and written as `\uXXXX` escapes: the forms a transcript stores. */
function storedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  let text = value;
  for (let depth = 0; depth < 4; depth++) {
    text = JSON.stringify(text).slice(1, -1);
    forms.add(text);
  }
  const unicode = [...value]
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
  forms.add(unicode);
  forms.add(unicode.toUpperCase().replace(/\\U/g, '\\u'));
  forms.add(JSON.stringify(unicode).slice(1, -1));
  return [...forms];
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Scrubs the secret values (in every form the redactor matches, escaped up
 * to four times, as `\u` escapes) out of one transcript file, in place:
 *
 * - refuses a binary store (SQLite, protobuf), a file changed within the
 *   last `settleMs` (the agent may still be writing it), a file that changes
 *   while it is scrubbed, and a result that would not be valid JSON (for
 *   `.json`) or would break a JSONL line that was valid;
 * - a JSONL line whose value survives in a form that cannot be cut out
 *   (base64 of JSON, say) is replaced by a placeholder line;
 * - copies the original to `backupDir` (mode 0600: it holds the secrets),
 *   then writes the result to a temporary file beside it and renames it over
 *   the original, so a reader sees the old file or the new one, never half.
 */
export async function scrubTranscript(
  file: string,
  options: {
    secrets: readonly string[];
    createRedactor: CreateRedactor;
    backupDir: string;
    settleMs?: number;
    now?: () => number;
  },
): Promise<ScrubOutcome> {
  const refuse = (reason: string): ScrubOutcome => ({ file, status: 'refused', reason });
  if (binaryEndings.some((ending) => file.endsWith(ending))) {
    return refuse(
      'a binary store (SQLite or protobuf) is not rewritten; delete the chat in the editor',
    );
  }
  const before = await lstat(file);
  if (!before.isFile()) return refuse('not a regular file');
  const settleMs = options.settleMs ?? 10_000;
  const age = (options.now ?? Date.now)() - before.mtimeMs;
  if (age < settleMs) {
    return refuse(
      `changed ${Math.max(0, Math.round(age / 1000))} s ago: the agent may still be writing it; end that session and run --fix again`,
    );
  }
  const text = await readFile(file, 'utf8');
  const cut = options.createRedactor({ secrets: options.secrets.flatMap(storedForms) });
  const detect = options.createRedactor({ secrets: options.secrets });
  const leaks = (line: string) => {
    const total = detect.stats.total;
    for (const view of decodedViews(line)) detect.redact(view);
    return detect.stats.total !== total;
  };
  let output: string;
  let linesReplaced = 0;
  if (file.endsWith('.json')) {
    output = cut.redact(text);
    if (output.split('\n').some(leaks))
      return refuse('a value is left in a form that cannot be cut out');
    if (parses(text) && !parses(output)) return refuse('the result would not be valid JSON');
  } else {
    const lines = text.split('\n');
    const scrubbed = lines.map((line) => {
      if (!leaks(line)) return line;
      linesReplaced++;
      const next = cut.redact(line);
      const valid = !parses(line) || parses(next);
      return valid && !leaks(next) ? next : removedLine;
    });
    output = scrubbed.join('\n');
  }
  if (linesReplaced === 0 && output === text) return refuse('no value found');
  const during = await stat(file);
  if (
    during.size !== before.size ||
    during.mtimeMs !== before.mtimeMs ||
    during.ino !== before.ino
  ) {
    return refuse('it changed while being scrubbed: the agent may still be writing it');
  }
  await mkdir(options.backupDir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backup = join(
    options.backupDir,
    `${stamp}-${file.replace(/^[/\\]+/, '').replace(/[/\\:]+/g, '__')}`,
  );
  await copyFile(file, backup);
  await chmod(backup, 0o600);
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', before.mode & 0o777);
  try {
    await handle.writeFile(output);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { file, status: 'scrubbed', backup, linesReplaced: Math.max(linesReplaced, 1) };
}
