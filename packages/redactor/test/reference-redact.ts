/**
 * The redaction the package must produce, written the slow and obvious way:
 * find every occurrence of every pattern, merge the ones that overlap, replace
 * each merged range once. Tests compare the real redactor against it.
 */
export function referenceRedact(
  input: Uint8Array,
  patterns: readonly Uint8Array[],
  replacement: Uint8Array,
): Uint8Array {
  const haystack = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const ranges: [number, number][] = [];
  for (const pattern of patterns) {
    for (let at = haystack.indexOf(pattern); at !== -1; at = haystack.indexOf(pattern, at + 1)) {
      ranges.push([at, at + pattern.length]);
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
