/** What {@link truncateMiddle} returns. */
export interface TruncatedText {
  /** The text, whole, or its head and tail around a marker of what was cut. */
  text: string;
  /** How many bytes of the input were left out (0 when nothing was cut). */
  cutBytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The marker put where bytes were cut. */
export function cutMarker(cutBytes: number): string {
  return `\n…[ironrun: ${cutBytes} bytes cut]…\n`;
}

function isContinuationByte(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * Builds the head-and-tail view of a stream of `totalBytes` bytes from its
 * first bytes (`head`) and last bytes (`tail`), each at least `maxBytes`
 * long or the whole stream. Cuts fall on UTF-8 character boundaries.
 */
export function joinHeadAndTail(
  head: Uint8Array,
  tail: Uint8Array,
  totalBytes: number,
  maxBytes: number,
): TruncatedText {
  if (totalBytes <= maxBytes)
    return { text: decoder.decode(head.subarray(0, totalBytes)), cutBytes: 0 };
  // The marker's size depends on the count it shows; the count of the whole
  // stream is an upper bound, so the result never exceeds maxBytes.
  const budget = Math.max(0, maxBytes - encoder.encode(cutMarker(totalBytes)).length);
  let headBytes = Math.floor(budget / 2);
  let tailBytes = budget - headBytes;
  // Never start the tail in the middle of a character, nor end the head in one.
  while (headBytes > 0 && isContinuationByte(head[headBytes])) headBytes -= 1;
  let tailStart = tail.length - tailBytes;
  while (tailStart < tail.length && isContinuationByte(tail[tailStart])) tailStart += 1;
  tailBytes = tail.length - tailStart;
  const cutBytes = totalBytes - headBytes - tailBytes;
  return {
    text:
      decoder.decode(head.subarray(0, headBytes)) +
      cutMarker(cutBytes) +
      decoder.decode(tail.subarray(tailStart)),
    cutBytes,
  };
}

/**
 * Keeps `input` within `maxBytes` (UTF-8) by cutting its middle: the head and
 * the tail stay (errors are usually at the end), joined by the marker
 * `\n…[ironrun: N bytes cut]…\n`. The marker counts toward `maxBytes` (a
 * limit smaller than the marker, about 35 bytes, yields the marker alone).
 *
 * @example
 * truncateMiddle('x'.repeat(100_000), 16 * 1024).cutBytes; // 100_000 - (16 KiB - marker)
 */
export function truncateMiddle(input: string | Uint8Array, maxBytes: number): TruncatedText {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  if (bytes.length <= maxBytes) {
    return { text: typeof input === 'string' ? input : decoder.decode(bytes), cutBytes: 0 };
  }
  return joinHeadAndTail(
    bytes,
    bytes.subarray(Math.max(0, bytes.length - maxBytes)),
    bytes.length,
    maxBytes,
  );
}
