/**
 * What the matchers report with each match, in one byte: the index of its
 * `VariantKind` in `variantKinds` (low 3 bits), and whether the
 * characters just outside the match may still carry bits of the secret.
 *
 * A base64 fragment leaves out the one character at each edge whose six bits
 * mix the secret with its neighbours (see `base64Fragment`); those characters
 * still tell a few bits of the secret, so a match is widened to take them in.
 */
/** The character before the match (across at most one line break) may carry bits of the secret. */
export const edgeBefore = 8;
/** The character after the match may carry bits of the secret, and `=` padding may follow it. */
export const edgeAfter = 16;

/** The kind index in a tag. */
export function tagKind(tag: number): number {
  return tag & 7;
}
