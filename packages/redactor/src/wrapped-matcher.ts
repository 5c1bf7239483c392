import type { Automaton } from './automaton.js';
import { type PatternSet, selectPatterns } from './pattern-set.js';
import { SkipSearch } from './skip-search.js';

/** {@link WrappedMatcher.byteClass}: a character of the base64, base64url or hex alphabets. */
export const encodedChar = 0;
/** {@link WrappedMatcher.byteClass}: `\r` or `\n`. */
export const lineBreakByte = 1;
/** {@link WrappedMatcher.byteClass}: any other byte; no encoded form runs across it. */
export const breakerByte = 2;

const encodedAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_';

/** `hexDigit[b]` is 1 for `0-9`, `a-f` and `A-F`. */
export const hexDigit = new Uint8Array(256);
for (const char of '0123456789abcdefABCDEF') hexDigit[char.charCodeAt(0)] = 1;

/** Whether pattern `p` of `set` is made of hex digits only, or of hex digits and line breaks with `breaks`. */
export function isHexOnly(set: PatternSet, p: number, breaks = false): boolean {
  const start = set.starts[p]!;
  for (let i = start; i < start + set.lengths[p]!; i++) {
    const byte = set.pool[i]!;
    if (hexDigit[byte] === 0 && !(breaks && (byte === 0x0a || byte === 0x0d))) return false;
  }
  return true;
}

/**
 * Shortest window from which the search over a hex run hashes 8-byte blocks:
 * 8 hex digits carry 32 bits, 4 only 16 (see `SkipSearch`).
 */
const wideWindow = 16;

/**
 * What is shared, built once, for finding the encoded forms of secrets (base64,
 * base64url, hex) when an encoder wrapped them over several lines: the main
 * automaton, which tracks those forms as a subset (its `wrapped*` members) and
 * which a scan steps over line breaks without changing state, and a class for
 * each byte.
 */
export class WrappedMatcher {
  readonly automaton: Automaton;
  /** {@link encodedChar}, {@link lineBreakByte} or {@link breakerByte} for each byte value. */
  readonly byteClass: Uint8Array;
  /** Length of the shortest encoded form: a run of fewer bytes holds no wrapped match. */
  readonly window: number;
  /** Length of the longest encoded form. */
  readonly longest: number;
  /**
   * Most bytes a stream may have to hold back for a wrapped form: a proper
   * prefix with a line break after each character, and the edge character before it.
   */
  readonly holdLimit: number;
  /**
   * A skipping search over the encoded forms, run over a long run of encoded
   * characters with its line breaks taken out; none when the shortest form is
   * too short for skipping to pay.
   */
  readonly body: SkipSearch | undefined;
  /**
   * The same search over the encoded forms made only of hex digits (all hex
   * forms, and the rare base64 form that happens to be), for a long run made
   * only of hex digits: no other form can lie in it. With 8-byte blocks when
   * the shortest is 16 digits or more. None when {@link body} is none, or when
   * no form is made of hex digits (then a hex run holds no form at all).
   */
  readonly hexBody: SkipSearch | undefined;
  /**
   * Scratch space shared by the streams (a push runs start to end without
   * yielding): a run's characters without its line breaks, and where each
   * stretch between two breaks starts in it and in the chunk.
   */
  scratch = new Uint8Array(0);
  segmentStart = new Int32Array(64);
  segmentRaw = new Int32Array(64);
  /** Bytes of {@link scratch} written since the last {@link scrub}. */
  dirty = 0;

  /** Zeroes the copy of output left in {@link scratch}. */
  scrub(): void {
    this.scratch.fill(0, 0, this.dirty);
    this.dirty = 0;
  }

  /** `set` is the wrapped subset of the patterns `automaton` was built with. */
  constructor(set: PatternSet, automaton: Automaton) {
    this.automaton = automaton;
    this.byteClass = new Uint8Array(256).fill(breakerByte);
    for (const char of encodedAlphabet) this.byteClass[char.charCodeAt(0)] = encodedChar;
    this.byteClass[0x0a] = lineBreakByte;
    this.byteClass[0x0d] = lineBreakByte;
    this.window = set.minLength;
    this.longest = set.maxLength;
    this.holdLimit = 3 * set.maxLength + 3;
    this.body = set.minLength >= 6 ? new SkipSearch(set) : undefined;
    const hexForms = selectPatterns(set, (p) => isHexOnly(set, p));
    this.hexBody =
      this.body === undefined || hexForms.count === 0
        ? undefined
        : hexForms.minLength >= wideWindow
          ? // 8-digit blocks, with tables of at most 64 KiB each (not up to 512 and 128): a
            // thousand secrets' instance stays small, and the search still skips (measured).
            new SkipSearch(hexForms, 8, 19)
          : new SkipSearch(hexForms);
  }
}
