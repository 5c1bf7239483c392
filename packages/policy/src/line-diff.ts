/** One line of a line diff: kept, added or removed. */
export interface DiffLine {
  /** `' '` kept, `'+'` only in the new text, `'-'` only in the old text. */
  op: ' ' | '+' | '-';
  /** The line, without its line break, as written (escape it before showing it). */
  line: string;
}

/** The largest middle (after the common head and tail) compared line by line; beyond it, removed then added. */
const maxCells = 4_000_000;

/**
 * A line diff of `before` and `after`: the common head and tail kept, the
 * middle by longest common subsequence (or, when that would be larger than
 * 4 million cells, shown as all removed then all added).
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const out: DiffLine[] = a.slice(0, head).map((line) => ({ op: ' ', line }));
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  if (x.length * y.length > maxCells) {
    out.push(...x.map((line) => ({ op: '-' as const, line })));
    out.push(...y.map((line) => ({ op: '+' as const, line })));
  } else {
    // lengths[i][j]: the LCS length of x[i..] and y[j..].
    const width = y.length + 1;
    const lengths = new Uint32Array((x.length + 1) * width);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lengths[i * width + j] =
          x[i] === y[j]
            ? lengths[(i + 1) * width + j + 1]! + 1
            : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        out.push({ op: ' ', line: x[i]! });
        i++;
        j++;
      } else if (
        i < x.length &&
        (j === y.length || lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!)
      ) {
        out.push({ op: '-', line: x[i]! });
        i++;
      } else {
        out.push({ op: '+', line: y[j]! });
        j++;
      }
    }
  }
  out.push(...a.slice(a.length - tail).map((line) => ({ op: ' ' as const, line })));
  return out;
}
