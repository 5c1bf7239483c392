/**
 * The edit distance between two strings where swapping two neighbouring
 * characters counts as one edit (optimal string alignment), so the typo
 * `no_netwrok` is one edit away from `no_network`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The known word closest to `input`, if it is close enough to be a likely
 * typo (at most 2 edits, and fewer than half the word's length), else
 * `undefined`. Case is ignored.
 */
export function didYouMean(input: string, known: Iterable<string>): string | undefined {
  if (input.length > 64) return undefined;
  const lowered = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const word of known) {
    const distance = editDistance(lowered, word.toLowerCase());
    if (distance < bestDistance) {
      best = word;
      bestDistance = distance;
    }
  }
  if (best === undefined || best === input) return undefined;
  return bestDistance <= Math.min(2, Math.floor(best.length / 2)) ? best : undefined;
}
