import type { PatternSet } from '../src/pattern-set.js';
import { variantKinds } from '../src/variant-kind.js';

/** A pattern as the reference looks for it. */
export interface ReferencePattern {
  bytes: Uint8Array;
  /** Also matched with one line break (one or two `\r`/`\n` bytes) between any two characters. */
  wrapped?: boolean;
  /** The base64 character before a match (across one line break) is redacted with it. */
  before?: boolean;
  /** The base64 character after a match and up to two `=` (each across one line break) too. */
  after?: boolean;
}

const base64Chars = new Set(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_'].map((c) =>
    c.charCodeAt(0),
  ),
);
const isBreak = (byte: number | undefined) => byte === 0x0a || byte === 0x0d;

/** The start once the base64 character before `start` (across up to two break bytes) is taken in. */
function widenBefore(input: Uint8Array, start: number): number {
  let at = start - 1;
  for (let breaks = 0; breaks < 2 && at >= 0 && isBreak(input[at]); breaks++) at--;
  return at >= 0 && base64Chars.has(input[at]!) ? at : start;
}

/** The end once the base64 character after `end` and up to two `=` are taken in. */
function widenAfter(input: Uint8Array, end: number): number {
  let widened = end;
  let at = end;
  for (let taken = 0; taken < 3; taken++) {
    let breaks = 0;
    while (breaks < 2 && isBreak(input[at])) {
      at++;
      breaks++;
    }
    const byte = input[at];
    if (byte === undefined || !(taken === 0 ? base64Chars.has(byte) : byte === 0x3d)) break;
    at++;
    widened = at;
  }
  return widened;
}

/**
 * The redaction the package must produce, written the slow and obvious way:
 * find every occurrence of every pattern (wrapped ones across line breaks
 * too), widen it over its edge characters, merge the ranges that overlap,
 * replace each merged range once. Tests compare the real redactor against it.
 */
export function referenceRedact(
  input: Uint8Array,
  patterns: readonly (Uint8Array | ReferencePattern)[],
  replacement: Uint8Array,
): Uint8Array {
  const haystack = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // The input without its line breaks, and where each of its bytes was.
  const kept: number[] = [];
  for (let i = 0; i < input.length; i++) if (!isBreak(input[i])) kept.push(i);
  const unwrapped = Buffer.from(kept.map((i) => input[i]!));
  const ranges: [number, number][] = [];
  const add = (pattern: ReferencePattern, start: number, end: number) => {
    ranges.push([
      pattern.before ? widenBefore(input, start) : start,
      pattern.after ? widenAfter(input, end) : end,
    ]);
  };
  for (const entry of patterns) {
    const pattern = entry instanceof Uint8Array ? { bytes: entry } : entry;
    const bytes = Buffer.from(pattern.bytes);
    for (let at = haystack.indexOf(bytes); at !== -1; at = haystack.indexOf(bytes, at + 1)) {
      add(pattern, at, at + bytes.length);
    }
    if (!pattern.wrapped) continue;
    for (let at = unwrapped.indexOf(bytes); at !== -1; at = unwrapped.indexOf(bytes, at + 1)) {
      const last = at + bytes.length - 1;
      let gapsFit = true;
      for (let k = at; k < last; k++) gapsFit &&= kept[k + 1]! - kept[k]! - 1 <= 2;
      if (gapsFit) add(pattern, kept[at]!, kept[last]! + 1);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: Uint8Array[] = [];
  let cursor = 0;
  let i = 0;
  while (i < ranges.length) {
    const [start] = ranges[i]!;
    let end = ranges[i]![1];
    i++;
    while (i < ranges.length && ranges[i]![0] < end) end = Math.max(end, ranges[i++]![1]);
    parts.push(input.subarray(cursor, start), replacement);
    cursor = end;
  }
  parts.push(input.subarray(cursor));
  return new Uint8Array(Buffer.concat(parts));
}

/** The patterns of a set as the reference takes them: kinds `hex`, `base64` and `base64url` wrap. */
export function referencePatterns(set: PatternSet): ReferencePattern[] {
  const wrapping = new Set(
    (['hex', 'base64', 'base64url'] as const).map((kind) => variantKinds.indexOf(kind)),
  );
  return Array.from({ length: set.count }, (_, p) => ({
    bytes: set.pool.subarray(set.starts[p]!, set.starts[p]! + set.lengths[p]!),
    wrapped: wrapping.has(set.tags[p]! & 7),
    before: (set.tags[p]! & 8) !== 0,
    after: (set.tags[p]! & 16) !== 0,
  }));
}

/** Cuts `input` at the given offsets (sorted, deduplicated, out-of-range ones ignored). */
export function cutAt(input: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < input.length).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    chunks.push(input.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/** Pushes the chunks through a stream and joins all its output. */
export function streamThrough(
  stream: { push(chunk: Uint8Array): Uint8Array; end(): Uint8Array },
  chunks: readonly Uint8Array[],
): Uint8Array {
  const out: Uint8Array[] = chunks.map((chunk) => stream.push(chunk));
  out.push(stream.end());
  return new Uint8Array(Buffer.concat(out));
}
