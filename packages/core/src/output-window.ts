import { joinHeadAndTail, type TruncatedText } from './truncate-middle.js';

/**
 * Collects a stream of unknown length in bounded memory (at most twice
 * `maxBytes`) and gives the same head-and-tail view as `truncateMiddle`
 * would over the whole stream.
 */
export class OutputWindow {
  readonly #maxBytes: number;
  readonly #head: Uint8Array;
  #headLength = 0;
  // The tail is a ring buffer of the last maxBytes bytes.
  readonly #tail: Uint8Array;
  #tailEnd = 0;
  #total = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#head = new Uint8Array(maxBytes);
    this.#tail = new Uint8Array(maxBytes);
  }

  /** Bytes seen so far. */
  get totalBytes(): number {
    return this.#total;
  }

  push(chunk: Uint8Array): void {
    this.#total += chunk.length;
    const max = this.#maxBytes;
    if (max === 0) return;
    if (this.#headLength < max) {
      const take = Math.min(max - this.#headLength, chunk.length);
      this.#head.set(chunk.subarray(0, take), this.#headLength);
      this.#headLength += take;
    }
    const keep = chunk.length > max ? chunk.subarray(chunk.length - max) : chunk;
    const first = Math.min(keep.length, max - this.#tailEnd);
    this.#tail.set(keep.subarray(0, first), this.#tailEnd);
    this.#tail.set(keep.subarray(first), 0);
    this.#tailEnd = (this.#tailEnd + keep.length) % max;
  }

  finish(): TruncatedText {
    const max = this.#maxBytes;
    if (max === 0) return joinHeadAndTail(new Uint8Array(0), new Uint8Array(0), this.#total, 0);
    const tailLength = Math.min(this.#total, max);
    const tail = new Uint8Array(tailLength);
    // Unroll the ring: oldest byte first.
    const start = (this.#tailEnd - tailLength + max) % max;
    const first = Math.min(tailLength, max - start);
    tail.set(this.#tail.subarray(start, start + first), 0);
    tail.set(this.#tail.subarray(0, tailLength - first), first);
    return joinHeadAndTail(this.#head.subarray(0, this.#headLength), tail, this.#total, max);
  }
}
