import { wrappedMatchHere } from './automaton.js';
import { MatchList } from './match-list.js';
import type { SkipSearch } from './skip-search.js';
import type { WasmScan } from './wasm-scan.js';
import {
  breakerByte,
  encodedChar,
  hexDigit,
  lineBreakByte,
  type WrappedMatcher,
} from './wrapped-matcher.js';

/** Chunks shorter than this are read by runs, never with the native byte search. */
const smallChunk = 256;

/** Line breaks the module lists per call in {@link WrappedScan}'s break scan. */
const breaksPerCall = 64;

/** Verdicts of `mayBeInside`. */
const no = 0;
const notAfterAll = 1;
const maybe = 2;

/** Finds a byte in a chunk: Node's `Buffer.indexOf` (memchr) where there is one, several times faster than a typed array's. */
interface ByteSearch {
  indexOf(byte: number, from: number): number;
}

const NodeBuffer = (
  globalThis as {
    Buffer?: { from(buffer: ArrayBufferLike, offset: number, length: number): ByteSearch };
  }
).Buffer;

function byteSearch(chunk: Uint8Array): ByteSearch {
  return NodeBuffer === undefined
    ? chunk
    : NodeBuffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

/**
 * One stream's search for encoded forms wrapped over lines. Line breaks (`\n`,
 * `\r\n`, `\r`: one or two of those bytes) between two characters are skipped
 * as if absent; three or more in a row end the form, like any byte outside the
 * encoded alphabets. It reports only matches that contain a line break: the
 * main matcher finds the others.
 *
 * Stepping the automaton over every byte would cost more than the main search
 * itself, so the scan goes from line break to line break (found with a native
 * byte search) and rejects most with a few reads: a wrapped form needs
 * characters of the alphabets on both sides of the break, at least
 * {@link WrappedMatcher.window} in all. Around a break that passes, the
 * automaton steps over the run of encoded characters and line breaks, but only
 * the bytes within the longest form's length of a line break; elsewhere it
 * jumps. The state after the chunk is exact, so the stream can hold back
 * exactly what a wrapped form could still claim.
 */
export class WrappedScan {
  private readonly matcher: WrappedMatcher;
  private state = 0;
  /** Line-break bytes read since the last character. */
  private gap = 0;
  /** Characters read since the last byte outside the alphabets (or longer line break). */
  private runLength = 0;
  /** Characters read so far; `ring[k & mask]` is the position of character `k`. */
  private views = 0;
  private readonly ring: Float64Array;
  private readonly mask: number;
  /** Position before which the automaton must step every byte: a pending match may span the last line break. */
  private until = 0;

  constructor(matcher: WrappedMatcher) {
    this.matcher = matcher;
    let size = 8;
    while (size < matcher.longest + 2) size *= 2;
    this.ring = new Float64Array(size);
    this.mask = size - 1;
  }

  /**
   * Adds the wrapped matches that end in the chunk to `found`, in order of end.
   * `loaded` is the WebAssembly scanner holding a copy of the chunk, if any: it
   * lists the line breaks in place of the native byte search.
   */
  scan(chunk: Uint8Array, chunkPosition: number, found: MatchList, loaded?: WasmScan): void {
    this.loaded = loaded;
    this.inner.clear();
    this.coveredCount = 0;
    // The state is exact at `exactAt`. A form begun in earlier chunks is followed first.
    const exactAt = this.state === 0 ? 0 : this.scanRun(chunk, 0, chunkPosition, found);
    // Both ways find the same matches and leave the same state; they differ in cost. A native
    // byte search does not pay for itself on a small chunk.
    if (chunk.length < smallChunk) {
      this.scanRuns(chunk, exactAt, chunkPosition, found);
    } else if (this.byRuns > 0) {
      this.byRuns--;
      this.scanRuns(chunk, exactAt, chunkPosition, found);
    } else if (this.scanBreaks(chunk, exactAt, chunkPosition, found, loaded) * 256 > chunk.length) {
      this.byRuns = 16;
    }
  }

  /**
   * Chunks to read by runs rather than by line breaks, after a chunk in which
   * many line breaks had encoded characters on both sides (lines ending and
   * starting with a word): testing each of those costs more than skipping
   * through the text.
   */
  private byRuns = 0;

  /**
   * Goes from line break to line break. Returns how many breaks needed a closer
   * look than their neighbouring bytes.
   */
  private scanBreaks(
    chunk: Uint8Array,
    exactAt: number,
    chunkPosition: number,
    found: MatchList,
    loaded: WasmScan | undefined,
  ): number {
    const length = chunk.length;
    this.closer = 0;
    if (loaded !== undefined) {
      // The module lists the breaks that have no breaker byte on either side; the others
      // cannot be inside a form (mayBeInside would say so).
      let from = exactAt;
      while (from < length) {
        // A few dozen at a time: a break that starts a long run moves `exactAt` past the run's
        // end, and the next call starts there instead of listing the run's other breaks.
        const count = loaded.breaks(from, breaksPerCall);
        for (let k = 0; k < count; k++) {
          // Read afresh: following a run may grow the memory, which replaces `words`.
          const at = loaded.words[loaded.listA + k]!;
          if (at >= exactAt) exactAt = this.atBreak(chunk, at, exactAt, chunkPosition, found);
        }
        from = Math.max(loaded.resume, exactAt);
      }
    } else {
      const search = byteSearch(chunk);
      let lf = search.indexOf(0x0a, exactAt);
      let cr = search.indexOf(0x0d, exactAt);
      for (;;) {
        const at = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
        if (at === -1) break;
        if (at >= exactAt) exactAt = this.atBreak(chunk, at, exactAt, chunkPosition, found);
        const from = Math.max(at + 1, exactAt);
        if (lf !== -1 && lf < from) lf = search.indexOf(0x0a, from);
        if (cr !== -1 && cr < from) cr = search.indexOf(0x0d, from);
      }
    }
    // The state after the chunk depends on its last characters only.
    if (exactAt < length) {
      const start = this.runStart(chunk, length, exactAt);
      if (start !== exactAt) this.reset();
      this.step(chunk, start, length, chunkPosition, found);
    }
    return this.closer;
  }

  /** Breaks that needed a closer look during the current {@link scanBreaks}. */
  private closer = 0;

  /**
   * Looks at the line break at `at` (not before `exactAt`): follows the run
   * around it when a form may span it. Returns the new `exactAt`.
   */
  private atBreak(
    chunk: Uint8Array,
    at: number,
    exactAt: number,
    chunkPosition: number,
    found: MatchList,
  ): number {
    const verdict = this.mayBeInside(chunk, at, exactAt);
    if (verdict === no) return exactAt;
    this.closer++;
    if (verdict === notAfterAll) return exactAt;
    const start = this.runStart(chunk, at, exactAt);
    if (start !== exactAt) this.reset();
    return this.scanRun(chunk, start, chunkPosition, found);
  }

  /**
   * Skips through the chunk the way a skipping search does: only a run of at
   * least {@link WrappedMatcher.window} bytes of the alphabets and line breaks
   * can hold a wrapped form, so it tests the last byte of each window-long
   * stretch first and jumps past any byte outside them.
   */
  private scanRuns(
    chunk: Uint8Array,
    exactAt: number,
    chunkPosition: number,
    found: MatchList,
  ): void {
    const length = chunk.length;
    const { byteClass, window } = this.matcher;
    let p = exactAt;
    while (p + window <= length) {
      const last = p + window - 1;
      if (byteClass[chunk[last]!] === breakerByte) {
        p = last + 1;
        continue;
      }
      let k = last - 1;
      while (k >= p && byteClass[chunk[k]!] !== breakerByte) k--;
      if (k >= p) {
        p = k + 1;
        continue;
      }
      // A window-long stretch with no breaker, starting after one (or where the state is exact).
      if (p !== exactAt) this.reset();
      exactAt = this.scanRun(chunk, p, chunkPosition, found);
      p = exactAt;
    }
    // What is left is shorter than a window: step it for an exact state at the end.
    if (p !== exactAt) this.reset(); // p follows a breaker
    if (p < length) this.step(chunk, p, length, chunkPosition, found);
  }

  /**
   * Whether a wrapped form may span the line break at `at`: it needs characters
   * of the alphabets on both sides, at least {@link WrappedMatcher.window} of
   * them in all. {@link maybe} when it cannot tell cheaply; {@link notAfterAll}
   * when it could tell only by counting characters.
   */
  private mayBeInside(chunk: Uint8Array, at: number, exactAt: number): number {
    const { byteClass, window } = this.matcher;
    // The line break around `at`: looking at three bytes on each side tells whether it is too long.
    let first = at;
    while (first > exactAt && at - first < 3 && byteClass[chunk[first - 1]!] === lineBreakByte) {
      first--;
    }
    let end = at;
    while (end < chunk.length && end - at < 3 && byteClass[chunk[end]!] === lineBreakByte) end++;
    if (end - first > 2) return no;
    if (first <= exactAt || end === chunk.length) return maybe;
    if (byteClass[chunk[first - 1]!] !== encodedChar) return no;
    if (byteClass[chunk[end]!] !== encodedChar) return no;
    // Characters before the break, up to the previous byte outside the alphabets.
    let before = first;
    while (before > exactAt && first - before < window) {
      const kind = byteClass[chunk[before - 1]!];
      if (kind === breakerByte) break;
      if (kind === lineBreakByte) return maybe; // the run goes on over more lines
      before--;
    }
    if (before === exactAt || first - before >= window) return maybe;
    // The rest must follow the break unbroken; look from the far end, where a breaker shows soonest.
    const need = window - (first - before);
    if (end + need > chunk.length) return maybe;
    for (let i = end + need - 1; i >= end; i--) {
      const kind = byteClass[chunk[i]!];
      if (kind === breakerByte) return notAfterAll;
      if (kind === lineBreakByte) return maybe;
    }
    return maybe;
  }

  /**
   * Where to start the automaton so that its state is exact at `at`: `exactAt`,
   * or the first byte after a byte outside the alphabets (or a longer line
   * break), or a point at least {@link WrappedMatcher.longest} + 1 characters
   * before `at`, whichever comes last.
   */
  private runStart(chunk: Uint8Array, at: number, exactAt: number): number {
    const { byteClass } = this.matcher;
    const reach = this.matcher.longest + 1;
    let chars = 0;
    let breaks = 0;
    for (let i = at; i > exactAt; i--) {
      const kind = byteClass[chunk[i - 1]!];
      if (kind === breakerByte) return i;
      if (kind === lineBreakByte) {
        if (++breaks > 2) return i;
        continue;
      }
      breaks = 0;
      if (++chars > reach) return i;
    }
    return exactAt;
  }

  /**
   * The position from which the input read so far must be held back: the start
   * of the longest suffix that is a proper prefix of a wrapped form (line breaks
   * included), or the character before a prefix of a form that takes in the
   * character before it. `position` when nothing needs holding.
   */
  heldFrom(position: number): number {
    const { automaton } = this.matcher;
    let from = position;
    const depth = automaton.wrappedHoldDepth(this.state);
    if (depth > 0) from = this.ring[(this.views - depth) & this.mask]!;
    const edgeDepth = automaton.wrappedEdgeHoldDepth(this.state);
    if (edgeDepth >= 0 && this.runLength > edgeDepth) {
      from = Math.min(from, this.ring[(this.views - edgeDepth - 1) & this.mask]!);
    }
    return from;
  }

  /** Forgets the state: the next byte starts a new run. */
  private reset(): void {
    this.state = 0;
    this.gap = 0;
    this.runLength = 0;
  }

  /**
   * Follows a run from `from`, where the state is exact, to just after the byte
   * outside the alphabets that ends it (returned; the state is the root there)
   * or to the chunk's end. Steps the automaton only where a match could span a
   * line break.
   */
  private scanRun(
    chunk: Uint8Array,
    from: number,
    chunkPosition: number,
    found: MatchList,
  ): number {
    const length = chunk.length;
    const { byteClass, body } = this.matcher;
    const reach = this.matcher.longest + 1;
    if (body !== undefined && length - from > 8 * reach) {
      const chars = this.collectRun(chunk, from);
      if (chars > 4 * reach)
        return this.scanLongRun(chunk, from, chars, chunkPosition, found, body);
    }
    let i = from;
    while (i < length) {
      const stop = this.until - chunkPosition;
      if (i < stop || (this.gap !== 0 && this.state !== 0)) {
        const to = Math.min(length, Math.max(stop, i + 1));
        this.step(chunk, i, to, chunkPosition, found);
        i = to;
        continue;
      }
      // No pending match spans a line break: jump to the next byte outside the alphabets.
      let next = i;
      while (next < length && byteClass[chunk[next]!] === encodedChar) next++;
      if (next < length && byteClass[chunk[next]!] === breakerByte) {
        this.reset();
        return next + 1;
      }
      // A line break or the chunk's end: the state there depends on the last `reach` characters.
      const restart = Math.max(i, next - reach);
      if (restart > i) this.reset();
      const to = Math.min(length, next + 1);
      this.step(chunk, restart, to, chunkPosition, found);
      i = to;
    }
    return length;
  }

  /**
   * The long runs of the last chunk searched through their copy: run `k` is
   * chunk offsets `coveredFrom[k] .. coveredTo[k]`, in order. Every occurrence
   * of a wrapped form inside one, with or without line breaks, was found there;
   * those without a line break are in {@link inner} (absolute positions, not
   * in order), the others went to `found` as usual.
   */
  coveredFrom = new Int32Array(16);
  coveredTo = new Int32Array(16);
  coveredCount = 0;
  readonly inner = new MatchList();

  private addCovered(from: number, to: number): void {
    if (this.coveredCount === this.coveredFrom.length) {
      const grownFrom = new Int32Array(2 * this.coveredCount);
      const grownTo = new Int32Array(2 * this.coveredCount);
      grownFrom.set(this.coveredFrom);
      grownTo.set(this.coveredTo);
      this.coveredFrom = grownFrom;
      this.coveredTo = grownTo;
    }
    this.coveredFrom[this.coveredCount] = from;
    this.coveredTo[this.coveredCount] = to;
    this.coveredCount++;
  }

  /** Where {@link collectRun} stopped: the chunk's length, or the byte that ends the run. */
  private collectedEnd = 0;
  private collectedSegments = 0;
  /**
   * The longest stretch of the run collected last with no character but hex
   * digits (and line breaks), as chunk offsets `[hexFrom, hexTo)`.
   */
  private hexFrom = 0;
  private hexTo = 0;
  /** Matches found by stepping where they are found by the skipping search too. */
  private readonly discard = new MatchList();
  private readonly bodyFound = new MatchList();

  /**
   * Copies the characters of the run starting at `from` into the matcher's
   * scratch, without its line breaks, up to the chunk's end or the byte that
   * ends the run (a byte outside the alphabets, or the third line-break byte in
   * a row). Returns how many; records where each stretch between breaks starts.
   */
  private collectRun(chunk: Uint8Array, from: number): number {
    const matcher = this.matcher;
    const length = chunk.length;
    const loaded = this.loaded;
    this.gathering = loaded?.reserveRun(length - from) === true;
    if (this.gathering) {
      // The module copies the run and lists its stretches, 16 bytes at a time.
      const chars = loaded!.compact(from);
      this.collectedEnd = loaded!.resume;
      this.collectedSegments = loaded!.segments;
      this.hexFrom = loaded!.hexFrom;
      this.hexTo = loaded!.hexTo;
      this.segmentStarts = loaded!.words;
      this.startsBase = loaded!.runStarts;
      this.segmentRaws = loaded!.words;
      this.rawsBase = loaded!.runRaws;
      return chars;
    }
    const { byteClass } = matcher;
    if (matcher.scratch.length < length - from) {
      matcher.scratch = new Uint8Array(Math.max(length - from, 2 * matcher.scratch.length));
    }
    this.chars = 0;
    this.collectedSegments = 0;
    this.stretch = from;
    this.lastBreak = -2;
    this.breaksInRow = 0;
    let stop = length;
    // The longest stretch with no character but hex digits (the first of equals), as the module finds it.
    let spanFrom = from;
    let bestFrom = from;
    let bestTo = from;
    for (let i = from; i < length; i++) {
      const byte = chunk[i]!;
      const kind = byteClass[byte];
      if (kind === encodedChar) {
        if (hexDigit[byte] === 0) {
          if (i - spanFrom > bestTo - bestFrom) {
            bestFrom = spanFrom;
            bestTo = i;
          }
          spanFrom = i + 1;
        }
        continue;
      }
      if (kind === breakerByte || this.breakAt(chunk, i)) {
        stop = i;
        break;
      }
    }
    if (stop > this.stretch) this.addStretch(chunk, this.stretch, stop);
    matcher.dirty = Math.max(matcher.dirty, this.chars);
    this.collectedEnd = stop;
    if (stop - spanFrom > bestTo - bestFrom) {
      bestFrom = spanFrom;
      bestTo = stop;
    }
    this.hexFrom = bestFrom;
    this.hexTo = bestTo;
    this.segmentStarts = matcher.segmentStart;
    this.startsBase = 0;
    this.segmentRaws = matcher.segmentRaw;
    this.rawsBase = 0;
    return this.chars;
  }

  /**
   * Where the stretches of the run collected last are listed: stretch `k`
   * starts at character `segmentStarts[startsBase + k]` of the copy and at
   * chunk offset `segmentRaws[rawsBase + k]` (in the module's memory, or in
   * the matcher's arrays).
   */
  private segmentStarts: Int32Array = new Int32Array(0);
  private startsBase = 0;
  private segmentRaws: Int32Array = new Int32Array(0);
  private rawsBase = 0;

  /** {@link collectRun}'s progress: characters copied, start of the current stretch, last break and breaks in a row. */
  private chars = 0;
  private stretch = 0;
  private lastBreak = -2;
  private breaksInRow = 0;
  /** The module holding a copy of the chunk being scanned, if any. */
  private loaded: WasmScan | undefined;
  /** Whether the run was copied by the module, within its memory (after the chunk), not to the matcher's scratch. */
  private gathering = false;

  /** A line-break byte at `b` in a collected run. Returns true when it is the third in a row: the run ends there. */
  private breakAt(chunk: Uint8Array, b: number): boolean {
    if (b > this.stretch) this.addStretch(chunk, this.stretch, b);
    this.breaksInRow = b === this.lastBreak + 1 ? this.breaksInRow + 1 : 1;
    this.lastBreak = b;
    this.stretch = b + 1;
    return this.breaksInRow >= 3;
  }

  /** Copies the characters `chunk[from .. to)` to the scratch, as one stretch. */
  private addStretch(chunk: Uint8Array, from: number, to: number): void {
    const matcher = this.matcher;
    const segments = this.collectedSegments;
    if (segments === matcher.segmentStart.length) this.growSegments();
    matcher.segmentStart[segments] = this.chars;
    matcher.segmentRaw[segments] = from;
    this.collectedSegments = segments + 1;
    const scratch = matcher.scratch;
    if (to - from > 128) scratch.set(chunk.subarray(from, to), this.chars);
    else {
      // A line's worth: a loop costs less than the view `subarray` makes.
      const offset = this.chars - from;
      for (let i = from; i < to; i++) scratch[offset + i] = chunk[i]!;
    }
    this.chars += to - from;
  }

  private growSegments(): void {
    const matcher = this.matcher;
    const size = 2 * matcher.segmentStart.length;
    const start = new Int32Array(size);
    const raw = new Int32Array(size);
    start.set(matcher.segmentStart);
    raw.set(matcher.segmentRaw);
    matcher.segmentStart = start;
    matcher.segmentRaw = raw;
  }

  /**
   * The index in the copy of the run collected last of the first character at
   * or after chunk offset `raw` (`chars` past the last one).
   */
  private copyIndex(raw: number, chars: number): number {
    const { segmentStarts, startsBase, segmentRaws, rawsBase } = this;
    const segments = this.collectedSegments;
    if (segments === 0 || raw < segmentRaws[rawsBase]!) return 0;
    let low = 0;
    let high = segments - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (segmentRaws[rawsBase + mid]! <= raw) low = mid;
      else high = mid - 1;
    }
    const start = segmentStarts[startsBase + low]!;
    const size = (low + 1 < segments ? segmentStarts[startsBase + low + 1]! : chars) - start;
    return start + Math.min(raw - segmentRaws[rawsBase + low]!, size);
  }

  /** The chunk offset of character `k` of the run collected last. */
  private rawOffset(k: number): number {
    const { segmentStarts, startsBase, segmentRaws, rawsBase } = this;
    let low = 0;
    let high = this.collectedSegments - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (segmentStarts[startsBase + mid]! <= k) low = mid;
      else high = mid - 1;
    }
    return segmentRaws[rawsBase + low]! + (k - segmentStarts[startsBase + low]!);
  }

  /**
   * A long run, collected: unless the state at `from` is the root, the
   * automaton steps over its first `longest + 1` characters (a match begun
   * before `from` ends there), the skipping search
   * over all of it without line breaks finds the matches that end later, mapped
   * back to the chunk, and the automaton steps again, silently, over its last
   * characters for an exact state at the chunk's end. Returns as {@link scanRun}.
   */
  private scanLongRun(
    chunk: Uint8Array,
    from: number,
    chars: number,
    chunkPosition: number,
    found: MatchList,
    body: SkipSearch,
  ): number {
    const reach = this.matcher.longest + 1;
    const stop = this.collectedEnd;
    // At the root (the run starts after a byte that ends forms, the usual case) no form begun
    // before `from` is pending, and the search over the copy finds every match in the run: no head
    // to step.
    const headEnd = this.state === 0 ? from : this.rawOffset(reach);
    if (headEnd > from) this.step(chunk, from, headEnd, chunkPosition, found);
    const bodyFound = this.bodyFound;
    bodyFound.clear();
    // Inside the run's longest stretch of hex digits only, a form starting at copy index
    // `hexStart .. hexLast` lies wholly in the stretch, so it is made of hex digits: there the
    // search over those forms alone (8-digit blocks; 4 digits are one of 65,536 blocks, nearly
    // all in some form at 1,000 secrets) stands in for the search over all forms. The stretch is
    // exact (every character was tested), never a guess from a prefix.
    const longest = this.matcher.longest;
    const hexStart = this.copyIndex(this.hexFrom, chars);
    const hexEnd = this.copyIndex(this.hexTo, chars);
    const hexLast = hexEnd - longest;
    const split = hexLast - hexStart > 2 * reach;
    const copy = this.gathering
      ? this.loaded!.scratch(chars)
      : this.matcher.scratch.subarray(0, chars);
    const searchCopy = (search: SkipSearch, first: number, last: number) => {
      if (last < first) return;
      if (this.gathering) search.scanScratch(copy, bodyFound, this.loaded!, first, last);
      else search.scan(copy, 0, bodyFound, undefined, first, last);
    };
    if (split) {
      searchCopy(body, 0, hexStart - 1);
      // No hexBody: no form is made of hex digits only, so none starts in the stretch.
      if (this.matcher.hexBody !== undefined) searchCopy(this.matcher.hexBody, hexStart, hexLast);
      searchCopy(body, hexLast + 1, chars);
    } else searchCopy(body, 0, chars);
    // The main search stands in only over hex stretches: there it barely skips (its hex forms hold
    // about half of all 4-digit blocks at 1,000 secrets); in base64 it skips well, and measured
    // no slower than this.
    const standIn = split;
    if (standIn) this.addCovered(this.hexFrom, this.hexTo);
    const inner = standIn ? this.inner : this.discard;
    if (bodyFound.count > 0) {
      const order: number[] = [];
      const starts: number[] = [];
      const ends: number[] = [];
      const kinds: number[] = [];
      for (let k = 0; k < bodyFound.count; k++) {
        const first = bodyFound.starts[k]!;
        const last = bodyFound.ends[k]! - 1;
        const start = this.rawOffset(first);
        const end = this.rawOffset(last) + 1;
        // Matches with no line break inside are the main search's, unless this search stands in
        // for it here; those ending in the head were stepped.
        if (end - start === last + 1 - first) {
          inner.add(chunkPosition + start, chunkPosition + end, bodyFound.kinds[k]!);
          continue;
        }
        if (end <= headEnd) continue;
        order.push(order.length);
        starts.push(start);
        ends.push(end);
        kinds.push(bodyFound.kinds[k]!);
      }
      order.sort((x, y) => ends[x]! - ends[y]!);
      for (const k of order) {
        found.add(chunkPosition + starts[k]!, chunkPosition + ends[k]!, kinds[k]!);
      }
    }
    if (stop < chunk.length) {
      this.reset();
      return stop + 1;
    }
    // The run goes on into the next chunk: the state there depends on its last `reach` characters.
    const tailStart = this.rawOffset(chars - reach);
    if (tailStart > headEnd) this.reset();
    this.discard.clear();
    this.step(chunk, Math.max(tailStart, headEnd), chunk.length, chunkPosition, this.discard);
    return chunk.length;
  }

  /** Steps the automaton over every byte of `chunk[from .. to)`. */
  private step(
    chunk: Uint8Array,
    from: number,
    to: number,
    chunkPosition: number,
    found: MatchList,
  ): void {
    const { automaton, byteClass, longest } = this.matcher;
    const { dense, denseCount, flags, wrappedTag } = automaton;
    const { ring, mask } = this;
    let { state, gap, runLength, views, until } = this;
    for (let i = from; i < to; i++) {
      const byte = chunk[i]!;
      const kind = byteClass[byte]!;
      if (kind !== encodedChar) {
        if (kind === breakerByte) {
          state = 0;
          gap = 0;
          runLength = 0;
        } else if (++gap > 2) {
          state = 0;
          runLength = 0;
        }
        continue;
      }
      if (gap !== 0) {
        gap = 0;
        until = chunkPosition + i + longest;
      }
      state = state < denseCount ? dense[(state << 8) | byte]! : automaton.next(state, byte);
      ring[views & mask] = chunkPosition + i;
      views++;
      runLength++;
      if ((flags[state]! & wrappedMatchHere) !== 0) {
        const matched = automaton.wrappedLength(state);
        const start = ring[(views - matched) & mask]!;
        const end = chunkPosition + i + 1;
        if (end - start > matched) found.add(start, end, wrappedTag[state]!);
      }
    }
    this.state = state;
    this.gap = gap;
    this.runLength = runLength;
    this.views = views;
    this.until = until;
  }
}
