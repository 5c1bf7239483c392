const shown = 10;

/** Lists references for an error message, shortened after the first ten. */
export function describeRefs(refs: readonly string[]): string {
  const unique = [...new Set(refs)];
  if (unique.length <= shown) return unique.join(', ');
  return `${unique.slice(0, shown).join(', ')} and ${unique.length - shown} more`;
}
