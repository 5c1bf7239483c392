import { secretVariants } from '@ironrun/redactor';

/**
 * The shortest string registered as a mask. Shorter fragments (the lines of a
 * multi-line secret, mostly) would blank out ordinary words all over the log.
 *
 * @default 6, the redactor's own minimum secret length
 */
export const minMaskLength = 6;

/**
 * Every string the runner should mask for these secret values: the forms
 * ironrun's redactor looks for, from `secretVariants` of `@ironrun/redactor`
 * (so the two lists cannot drift apart): each value as is, each line of a
 * multi-line value, JSON-escaped, URL-encoded, hex (lower and upper case), and
 * base64 and base64url at all three byte alignments. Deduplicated, in a stable
 * order; no encoding or line shorter than {@link minMaskLength} is listed (the
 * value itself always is).
 *
 * A mask is a fixed string, so two things the redactor does are out of its
 * reach: an encoding wrapped over several lines (the redactor matches it
 * across line breaks; the runner masks line by line) and the base64 character
 * at each edge of an encoded secret, which also depends on the bytes around it.
 *
 * @example
 * for (const mask of maskValues(['s3cr3t-value'])) core.setSecret(mask);
 */
export function maskValues(values: Iterable<string>): string[] {
  const masks = new Set<string>();
  for (const value of values) {
    // The value itself whatever its length: masking too much beats leaking it.
    if (value !== '') masks.add(value);
    for (const form of secretVariants(value, { minLength: minMaskLength })) {
      masks.add(form);
    }
  }
  return [...masks];
}

/** Replaces each lone surrogate with U+FFFD, as TextEncoder does. */
export function wellFormed(value: string): string {
  return value.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}
