import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Redactor } from '@ironrun/core';

/** One secret `audit` looks for: the reference it came from and its value (kept in memory only). */
export interface AuditSecret {
  readonly ref: string;
  readonly value: string;
  /** Where the policy uses it, as `command.VARIABLE`. */
  readonly usedBy: readonly string[];
}

/**
 * A leak found by {@link LeakScanner}: which file holds which reference's
 * value, in any encoding. Never the value, and nothing about where in the
 * file or in which form: the agent can write the files audit reads, so
 * anything finer than "leaked or not" per file (a line number, an encoding)
 * would tell it which of its guesses was the secret.
 */
export interface LeakFinding {
  readonly file: string;
  readonly ref: string;
  readonly usedBy: readonly string[];
}

type CreateRedactor = (options: { secrets: Iterable<string> }) => Redactor;

const maxViews = 16;
const maxBase64Run = 4 * 1024 * 1024;
const base64Run = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const jsonEscape = /\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g;
const simpleEscapes: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** `text` with its JSON string escapes (`\"`, `\\`, `\n`, `\u00e9`, ...) decoded once, wherever they are. */
export function unescapeJsonOnce(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(jsonEscape, (_, sequence: string) =>
    sequence.length === 5
      ? String.fromCharCode(Number.parseInt(sequence.slice(1), 16))
      : (simpleEscapes[sequence] ?? sequence),
  );
}

/** The texts that base64 (or base64url) runs in `text` decode to, when they decode to text. */
function base64Texts(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(base64Run)) {
    const run = match[0];
    if (run.length > maxBase64Run || out.length >= maxViews) break;
    const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString(
      'utf8',
    );
    // Text, not an image: almost every character printable.
    let printable = 0;
    for (const char of decoded) {
      if (char >= ' ' || char === '\n' || char === '\r' || char === '\t') printable++;
    }
    if (decoded.length >= 8 && !decoded.includes('\ufffd') && printable >= decoded.length * 0.95) {
      out.push(decoded);
    }
  }
  return out;
}

/**
 * The forms of one line a secret can hide in beyond what the redactor
 * matches itself: JSON string escapes decoded once, twice, three times and
 * more (JSON inside JSON text, as MCP results and Codex function outputs are
 * stored; `\uXXXX` included), and base64 runs decoded to text (base64 of a
 * JSON document), each of those decoded again. The line itself comes first;
 * at most 16 forms.
 */
export function decodedViews(line: string): string[] {
  const views = [line];
  const seen = new Set(views);
  for (let index = 0; index < views.length && views.length < maxViews; index++) {
    const view = views[index] as string;
    for (const next of [unescapeJsonOnce(view), ...base64Texts(view)]) {
      if (seen.has(next) || views.length >= maxViews) continue;
      seen.add(next);
      views.push(next);
    }
  }
  return views;
}

/**
 * Finds secret values, and their encoded variants, in text files line by
 * line, with `@ironrun/redactor`'s matcher: one redactor over all secrets
 * finds the lines that leak, then one redactor per secret names which
 * reference leaked. Only files and references leave it, once per file.
 */
export class LeakScanner {
  readonly #all: Redactor;
  readonly #each: { secret: AuditSecret; redactor: Redactor }[];
  /** Bytes read so far. */
  bytes = 0;

  constructor(
    createRedactor: CreateRedactor,
    secrets: readonly { secret: AuditSecret; redactor: Redactor }[],
  ) {
    this.#all = createRedactor({ secrets: secrets.map((entry) => entry.secret.value) });
    this.#each = [...secrets];
  }

  /** The secrets one line holds (their indexes), skipping those already found. */
  #scanLine(line: string, found: Set<number>): void {
    const before = this.#all.stats.total;
    const views = decodedViews(line);
    for (const view of views) this.#all.redact(view);
    if (this.#all.stats.total === before) return;
    this.#each.forEach(({ redactor }, index) => {
      if (found.has(index)) return;
      const totalBefore = redactor.stats.total;
      for (const view of views) redactor.redact(view);
      if (redactor.stats.total !== totalBefore) found.add(index);
    });
  }

  /** The references whose values one line holds, in any form (for tests of the forms; `audit` reports per file). */
  refsInLine(line: string): string[] {
    const found = new Set<number>();
    this.#scanLine(line, found);
    return this.#each.filter((_, index) => found.has(index)).map(({ secret }) => secret.ref);
  }

  /** Scans one file line by line (any size); returns one finding per secret it holds, in policy order. */
  async scanFile(file: string): Promise<LeakFinding[]> {
    const stream = createReadStream(file, { encoding: 'utf8' });
    stream.on('data', (chunk) => {
      this.bytes += Buffer.byteLength(chunk);
    });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    const found = new Set<number>();
    for await (const line of lines) this.#scanLine(line, found);
    return this.#each
      .filter((_, index) => found.has(index))
      .map(({ secret }) => ({ file, ref: secret.ref, usedBy: secret.usedBy }));
  }
}
