/**
 * The shortest string registered as a mask. Shorter fragments (the lines of a
 * multi-line secret, mostly) would blank out ordinary words all over the log.
 *
 * @default 6, the redactor's own minimum secret length
 */
export const minMaskLength = 6;

const encoder = new TextEncoder();

/**
 * Every string the runner should mask for these secret values: each value as
 * is, as base64 and base64url at all three byte alignments, as hex (lower and
 * upper case), URL-encoded, JSON-escaped, and each line of a multi-line value.
 * Deduplicated, in a stable order; no encoding or line shorter than
 * {@link minMaskLength} is listed (the value itself always is).
 *
 * The runner already masks some encodings of a registered secret; listing
 * them here keeps the log masked the same way ironrun's redactor redacts the
 * command's output, whatever the runner version does.
 *
 * @example
 * for (const mask of maskValues(['s3cr3t-value'])) core.setSecret(mask);
 */
export function maskValues(values: Iterable<string>): string[] {
  const masks = new Set<string>();
  const add = (mask: string) => {
    if (mask.length >= minMaskLength) masks.add(mask);
  };
  for (const value of values) {
    // The value itself whatever its length: masking too much beats leaking it.
    if (value !== '') masks.add(value);
    const bytes = encoder.encode(value);
    for (const shift of [0, 1, 2]) {
      const alignedBase64 = base64AtShift(bytes, shift);
      add(alignedBase64);
      add(alignedBase64.replaceAll('+', '-').replaceAll('/', '_'));
    }
    const hex = Buffer.from(bytes).toString('hex');
    add(hex);
    add(hex.toUpperCase());
    add(urlEncoded(value));
    add(JSON.stringify(value).slice(1, -1));
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n|\r/)) add(line.trim());
    }
  }
  return [...masks];
}

/**
 * The base64 characters that stay the same wherever `bytes` sit in a longer
 * stream whose length before them is `shift` more than a multiple of 3: the
 * characters whose six bits all come from `bytes`.
 */
function base64AtShift(bytes: Uint8Array, shift: number): string {
  const padded = new Uint8Array(shift + bytes.length);
  padded.set(bytes, shift);
  const encoded = Buffer.from(padded).toString('base64').replace(/=+$/, '');
  const first = Math.ceil((8 * shift) / 6);
  const end = Math.floor((8 * (shift + bytes.length)) / 6);
  return encoded.slice(first, end);
}

/** `encodeURIComponent`, which throws on a lone surrogate, made total. */
function urlEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(wellFormed(value));
  }
}

/** Replaces each lone surrogate with U+FFFD, as TextEncoder does. */
export function wellFormed(value: string): string {
  return value.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}
