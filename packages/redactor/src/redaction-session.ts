import { matchHere } from './automaton.js';
import { freshBytes } from './fresh-bytes.js';
import { MatchList } from './match-list.js';
import { edgeAfter, edgeBefore, tagKind } from './match-tag.js';
import type { Matcher } from './matcher.js';
import { RedactionCounter, type RedactionStats } from './redaction-stats.js';
import { RedactorError } from './redactor-error.js';
import { SgrScan } from './sgr-scan.js';
import type { SkipSearch } from './skip-search.js';
import type { WasmScan } from './wasm-scan.js';
import { WrappedScan } from './wrapped-scan.js';

const empty = new Uint8Array(0);
/** Smallest chunk copied into the WebAssembly memory; below it the copy and calls cost more than they save. */
const wasmChunk = 256;
const equals = 0x3d;

/** Whether `byte` is a character of the base64 or base64url alphabet. */
function isBase64Char(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2b ||
    byte === 0x2f ||
    byte === 0x2d ||
    byte === 0x5f
  );
}

const isLineBreak = (byte: number) => byte === 0x0a || byte === 0x0d;

/**
 * One stream of output being redacted. Every occurrence of every pattern is
 * found; overlapping occurrences merge into one range, replaced once. Bytes are
 * emitted as soon as no pattern that is still open could reach back over them:
 * the held tail is exactly the longest suffix of the input read so far that is
 * a proper prefix of some pattern. So the output does not depend on how the input was
 * cut into chunks, and memory stays bounded by the longest pattern.
 */
export class RedactionSession {
  private readonly matcher: Matcher;
  private readonly replacement: Uint8Array;
  private readonly counter: RedactionCounter;
  /** Automaton state after the last byte read. */
  private state = 0;
  /** Number of bytes read. */
  private position = 0;
  /** The held bytes, input from `position - tailLength` to `position`, at the start of this buffer. */
  private tail: Uint8Array;
  private tailLength = 0;
  /** Output has been produced for every byte before this position. */
  private cursor = 0;
  private ended = false;
  // Pending ranges, sorted and disjoint: start, end, and the longest match in each (length, start,
  // kind); the first `rangeCount` entries. Typed arrays reused from chunk to chunk: arrays that
  // grow and shrink at every chunk (push, then splice, which returns a new array) made garbage.
  private rangeStart = new Float64Array(16);
  private rangeEnd = new Float64Array(16);
  private longestLength = new Float64Array(16);
  private longestStart = new Float64Array(16);
  private longestKind = new Uint8Array(16);
  private rangeCount = 0;
  /** Whether the first pending range's replacement has already been emitted. */
  private firstOpen = false;
  /**
   * Large chunks to scan byte by byte before trying the skipping search again,
   * after a chunk on which it had to compare too many windows (output made of
   * secrets, or of the few bytes the patterns are made of).
   */
  private skipBackoff = 0;
  /** Scratch space for the matches of one chunk found by the skipping path. */
  private readonly found = new MatchList();
  /** The search for encoded forms wrapped over lines, and its matches in the current chunk. */
  private readonly wrapped: WrappedScan | undefined;
  private readonly wrappedFound = new MatchList();
  /** The search for patterns with colour sequences inside, and its matches in the current chunk. */
  private readonly sgr: SgrScan;
  private readonly sgrFound = new MatchList();
  /**
   * Ends of matches whose trailing edge character or padding may still follow in
   * later input. Each holds the stream back to just before its end, so the range
   * stays open until the next chunk tells.
   */
  private openEdges: number[] = [];
  /** Set by {@link edgeEnd}: the input ran out before the edge was settled. */
  private edgeOpen = false;

  constructor(matcher: Matcher, replacement: Uint8Array, parentCounter: RedactionCounter) {
    this.matcher = matcher;
    this.replacement = replacement;
    this.counter = new RedactionCounter(parentCounter);
    this.tail = new Uint8Array(matcher.holdLimit);
    this.wrapped = matcher.wrapped === undefined ? undefined : new WrappedScan(matcher.wrapped);
    this.sgr = new SgrScan(matcher.automaton, matcher.maxLength);
  }

  get stats(): RedactionStats {
    return this.counter.snapshot();
  }

  push(chunk: Uint8Array): Uint8Array {
    if (this.ended) {
      throw new RedactorError('STREAM_ENDED', 'push() was called after end(); start a new stream.');
    }
    const wasm = this.matcher.wasm;
    if (wasm !== undefined && chunk.length > wasm.maxChunk) {
      // The output does not depend on how the input is cut: read a huge chunk in slices.
      const parts: Uint8Array[] = [];
      let size = 0;
      for (let offset = 0; offset < chunk.length; offset += wasm.maxChunk) {
        const part = this.pushChunk(chunk.subarray(offset, offset + wasm.maxChunk), wasm);
        parts.push(part);
        size += part.length;
      }
      const out = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    }
    return this.pushChunk(chunk, wasm);
  }

  private pushChunk(chunk: Uint8Array, wasm: WasmScan | undefined): Uint8Array {
    const length = chunk.length;
    if (length === 0) return empty;
    const chunkPosition = this.position;
    if (this.openEdges.length > 0) this.settleEdges(chunk, chunkPosition);
    // Large chunks: copy into the WebAssembly memory once, for both searches.
    const loaded = wasm !== undefined && length >= wasmChunk ? wasm.load(chunk) : undefined;
    this.wrappedFound.clear();
    this.wrapped?.scan(chunk, chunkPosition, this.wrappedFound, loaded);
    this.sgrFound.clear();
    this.sgr.scan(chunk, chunkPosition, this.sgrFound, this.state);
    if (this.sgrFound.count > 0) this.wrappedFound.mergeByEnd(this.sgrFound);
    if (length >= this.matcher.skipThreshold && this.skipBackoff === 0) {
      this.scanSkipping(chunk, chunkPosition, loaded);
    } else {
      if (length >= this.matcher.skipThreshold) this.skipBackoff--;
      this.scanEveryByte(chunk, chunkPosition);
    }
    this.position += length;
    let hold = this.position - this.matcher.automaton.holdDepth(this.state);
    if (this.wrapped !== undefined) hold = Math.min(hold, this.wrapped.heldFrom(this.position));
    hold = Math.min(hold, this.sgr.heldFrom(this.position));
    for (let k = 0; k < this.openEdges.length; k++) hold = Math.min(hold, this.openEdges[k]! - 1);
    // Never below the bytes already held: those before them are out (a safety net; holds only grow).
    hold = Math.max(hold, chunkPosition - this.tailLength);
    return this.settle(hold, chunk, chunkPosition);
  }

  end(): Uint8Array {
    if (this.ended) {
      throw new RedactorError('STREAM_ENDED', 'end() was called twice; start a new stream.');
    }
    this.ended = true;
    this.openEdges = []; // no more input: the edges taken so far are final
    const out = this.settle(this.position, empty, this.position);
    this.state = 0;
    // Held bytes may be the start of a secret, and the module's memory holds a copy of the
    // last chunk: do not keep them around.
    this.tail.fill(0);
    this.sgr.end();
    this.matcher.wasm?.scrub();
    this.matcher.wrapped?.scrub();
    return out;
  }

  /**
   * Runs the automaton over every byte of the chunk. Wrapped matches are merged
   * in by end, so matches keep arriving in order of end.
   */
  private scanEveryByte(chunk: Uint8Array, chunkPosition: number): void {
    const automaton = this.matcher.automaton;
    const { dense, denseCount, flags, matchTag } = automaton;
    const wrapped = this.wrappedFound;
    let next = 0;
    let state = this.state;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      state = state < denseCount ? dense[(state << 8) | byte]! : automaton.next(state, byte);
      if ((flags[state]! & matchHere) !== 0) {
        const length = automaton.matchLength(state);
        const end = chunkPosition + i + 1;
        for (; next < wrapped.count && wrapped.ends[next]! <= end; next++) {
          this.addMatch(wrapped.starts[next]!, wrapped.ends[next]!, wrapped.kinds[next]!, chunk);
        }
        this.addMatch(end - length, end, matchTag[state]!, chunk);
      }
    }
    for (; next < wrapped.count; next++) {
      this.addMatch(wrapped.starts[next]!, wrapped.ends[next]!, wrapped.kinds[next]!, chunk);
    }
    this.state = state;
  }

  /**
   * Finds the matches of a large chunk with the skipping scanners, then sets the
   * automaton state from the chunk's last bytes (the state only depends on the
   * last `maxLength` bytes read).
   */
  private scanSkipping(
    chunk: Uint8Array,
    chunkPosition: number,
    loaded: WasmScan | undefined,
  ): void {
    const { automaton, scanners, maxLength } = this.matcher;
    const found = this.found;
    found.clear();

    // Matches that start in the held tail: follow the automaton from the current
    // state until the string it stands for starts inside this chunk.
    let state = this.state;
    const limit = Math.min(chunk.length, maxLength);
    for (let i = 0; i < limit && automaton.depth[state]! > i; i++) {
      state = automaton.next(state, chunk[i]!);
      const length = automaton.matchLength(state);
      if (length > i + 1) {
        found.add(
          chunkPosition + i + 1 - length,
          chunkPosition + i + 1,
          automaton.matchTag[state]!,
        );
      }
    }
    // Matches inside the chunk.
    let compared = 0;
    const wrapped = this.wrapped;
    if (this.matcher.standIn && wrapped !== undefined && wrapped.coveredCount > 0) {
      compared = this.scanAroundRuns(chunk, chunkPosition, loaded, wrapped);
    } else {
      for (let k = 0; k < scanners.length; k++) {
        compared += scanners[k]!.scan(chunk, chunkPosition, found, loaded);
      }
    }
    // Both paths give the same matches; this only picks the cheaper one for the next chunks.
    if (compared * 8 > chunk.length) this.skipBackoff = 16;
    found.append(this.wrappedFound);

    // addRange merges correctly when no match lies wholly before the last range added: true
    // when matches come in order of start or in order of end (each scanner gives one or the
    // other). Matches from the tail and several scanners may mix the orders; then sort by start.
    const { starts, ends, kinds, count } = found;
    let byStart = true;
    let byEnd = true;
    for (let k = 1; k < count && (byStart || byEnd); k++) {
      byStart &&= starts[k - 1]! <= starts[k]!;
      byEnd &&= ends[k - 1]! <= ends[k]!;
    }
    if (byStart || byEnd) {
      for (let k = 0; k < count; k++) this.addMatch(starts[k]!, ends[k]!, kinds[k]!, chunk);
    } else {
      const order = Array.from({ length: count }, (_, k) => k);
      order.sort((x, y) => starts[x]! - starts[y]!);
      for (const k of order) this.addMatch(starts[k]!, ends[k]!, kinds[k]!, chunk);
    }

    const from = Math.max(0, chunk.length - maxLength);
    this.state = automaton.run(chunk, from, chunk.length);
  }

  /**
   * The main skipping search with the long encoded runs of the chunk left out:
   * there, the wrapped search over each run's copy without line breaks has
   * already found every occurrence of a wrapped form (with a line break inside
   * or not), and {@link Matcher.inRun} finds the other patterns made of a run's
   * bytes. Inside a run the main search barely skips (in a hex dump, about half
   * of all 4-digit blocks belong to some hex form), so this saves a second
   * pass over the run. The main search still looks at every start from which a
   * match could reach out of a run, and at the last bytes of each run, so an
   * edge that widens a match over `=` padding past the run's end is taken as
   * before. Returns the windows compared.
   */
  private scanAroundRuns(
    chunk: Uint8Array,
    chunkPosition: number,
    loaded: WasmScan | undefined,
    wrapped: WrappedScan,
  ): number {
    const { scanners, maxLength, inRun } = this.matcher;
    const found = this.found;
    const { coveredFrom, coveredTo, coveredCount } = wrapped;
    // A match starting at `s` with `from <= s <= to - margin` ends at least 8 bytes before the
    // run does: its edge (a character, line breaks, no padding, which a run cannot hold) stays inside.
    const margin = maxLength + 8;
    let compared = 0;
    // With `standIn`, every main scanner is a skipping search.
    for (let s = 0; s < scanners.length; s++) {
      const scanner = scanners[s] as SkipSearch;
      let first = 0;
      for (let k = 0; k < coveredCount; k++) {
        const from = coveredFrom[k]!;
        const last = coveredTo[k]! - margin;
        if (last < from) continue;
        if (from > first)
          compared += scanner.scan(chunk, chunkPosition, found, loaded, first, from - 1);
        first = Math.max(first, last + 1);
      }
      compared += scanner.scan(chunk, chunkPosition, found, loaded, first, chunk.length);
    }
    if (inRun !== undefined) {
      for (let k = 0; k < coveredCount; k++) {
        const from = coveredFrom[k]!;
        const last = coveredTo[k]! - margin;
        if (last >= from) compared += inRun.scan(chunk, chunkPosition, found, loaded, from, last);
      }
    }
    found.append(wrapped.inner);
    return compared;
  }

  /**
   * Adds a match, widened over the edge characters that still carry bits of the
   * secret: for a base64 fragment, the character before it (across one line
   * break) and the character after it with any `=` padding. An edge that runs
   * into the end of the input read so far stays open (see {@link openEdges}).
   */
  private addMatch(start: number, end: number, tag: number, chunk: Uint8Array): void {
    // The match is ranked by the pattern it matched, not by its widened edges: how far
    // an edge reaches can depend on where the chunks were cut.
    const matchStart = start;
    const matchLength = end - start;
    if ((tag & edgeBefore) !== 0) start = this.edgeStart(start, chunk);
    if ((tag & edgeAfter) !== 0) {
      const widened = this.edgeEnd(end, chunk);
      if (this.edgeOpen) this.openEdges.push(end);
      end = widened;
    }
    this.addRange(start, end, tag, matchLength, matchStart);
  }

  /** Re-reads the edges left open by the previous chunks, now that more input is here. */
  private settleEdges(chunk: Uint8Array, chunkPosition: number): void {
    const open = this.openEdges;
    this.openEdges = [];
    for (const end of open) {
      const widened = this.edgeEnd(end, chunk, chunkPosition);
      if (this.edgeOpen) this.openEdges.push(end);
      // Only widens the match's own range (it overlaps it): ranked below any match.
      if (widened > end) this.addRange(end - 1, widened, 0, 0, end - 1);
    }
  }

  /** The input byte at absolute `position`, from the held tail or the chunk being read. */
  private byteAt(position: number, chunk: Uint8Array, chunkPosition: number): number {
    return position >= chunkPosition
      ? chunk[position - chunkPosition]!
      : this.tail[position - (chunkPosition - this.tailLength)]!;
  }

  /** Where a match starting at `start` begins once it takes in the base64 character before it. */
  private edgeStart(start: number, chunk: Uint8Array, chunkPosition = this.position): number {
    const first = chunkPosition - this.tailLength;
    let at = start - 1;
    for (let breaks = 0; at >= first && breaks < 2; breaks++, at--) {
      if (!isLineBreak(this.byteAt(at, chunk, chunkPosition))) break;
    }
    return at >= first && isBase64Char(this.byteAt(at, chunk, chunkPosition)) ? at : start;
  }

  /**
   * Where a match ending at `end` ends once it takes in the base64 character
   * after it and then up to two `=`, each across at most one line break. Sets
   * {@link edgeOpen} when the input read so far ends before that is settled.
   */
  private edgeEnd(end: number, chunk: Uint8Array, chunkPosition = this.position): number {
    const limit = chunkPosition + chunk.length;
    let widened = end;
    let taken = 0;
    let breaks = 0;
    this.edgeOpen = false;
    for (let at = end; ; at++) {
      if (at >= limit) {
        this.edgeOpen = true;
        return widened;
      }
      const byte = this.byteAt(at, chunk, chunkPosition);
      if (isLineBreak(byte)) {
        if (++breaks > 2) return widened;
        continue;
      }
      if (taken === 0 ? !isBase64Char(byte) : byte !== equals) return widened;
      widened = at + 1;
      breaks = 0;
      if (++taken === 3) return widened;
    }
  }

  /**
   * Adds a match. Every match of a chunk ends after all ranges of earlier chunks,
   * and the matches of a chunk arrive in order of start or of end, so a new one
   * never lies wholly before the last pending range: it can only overlap a run of
   * the last ranges, which merge into it.
   */
  private addRange(
    start: number,
    end: number,
    kind: number,
    rankLength: number,
    rankStart: number,
  ): void {
    let bestLength = rankLength;
    let bestStart = rankStart;
    let bestKind = kind;
    let last = this.rangeCount - 1;
    while (last >= 0 && this.rangeEnd[last]! > start) {
      const length = this.longestLength[last]!;
      const otherStart = this.longestStart[last]!;
      // Longest wins, then the earliest; an exact tie (the same bytes matched as two
      // kinds, e.g. base64 without + or / is base64url too) goes to the lower kind, so
      // the stats do not depend on the order in which the two paths found the matches.
      if (
        length > bestLength ||
        (length === bestLength &&
          (otherStart < bestStart ||
            (otherStart === bestStart && tagKind(this.longestKind[last]!) < tagKind(bestKind))))
      ) {
        bestLength = length;
        bestStart = this.longestStart[last]!;
        bestKind = this.longestKind[last]!;
      }
      start = Math.min(start, this.rangeStart[last]!);
      end = Math.max(end, this.rangeEnd[last]!);
      last--;
    }
    const at = last + 1;
    if (at === this.rangeStart.length) this.growRanges();
    this.rangeStart[at] = start;
    this.rangeEnd[at] = end;
    this.longestLength[at] = bestLength;
    this.longestStart[at] = bestStart;
    this.longestKind[at] = bestKind;
    this.rangeCount = at + 1;
  }

  /** Doubles the room for pending ranges (a chunk with more ranges than ever before). */
  private growRanges(): void {
    const size = 2 * this.rangeStart.length;
    const grown = (old: Float64Array) => {
      const array = new Float64Array(size);
      array.set(old);
      return array;
    };
    this.rangeStart = grown(this.rangeStart);
    this.rangeEnd = grown(this.rangeEnd);
    this.longestLength = grown(this.longestLength);
    this.longestStart = grown(this.longestStart);
    const kinds = new Uint8Array(size);
    kinds.set(this.longestKind);
    this.longestKind = kinds;
  }

  /**
   * Emits the output for every byte before `hold` (no match found later can
   * start before it): input bytes as they are, each finished range as one
   * replacement. A range that reaches past `hold` has its replacement emitted now
   * and stays open, since later matches can only extend it. Keeps the bytes from
   * `hold` on as the new tail.
   */
  private settle(hold: number, chunk: Uint8Array, chunkPosition: number): Uint8Array {
    const replacementLength = this.replacement.length;
    const count = this.rangeCount;
    let done = 0;
    let size = 0;
    let cursor = this.cursor;
    for (; done < count && this.rangeEnd[done]! <= hold; done++) {
      const start = this.rangeStart[done]!;
      if (start > cursor) size += start - cursor;
      if (done !== 0 || !this.firstOpen) size += replacementLength;
      cursor = this.rangeEnd[done]!;
    }
    const straddles = done < count && this.rangeStart[done]! < hold;
    const plainEnd = straddles ? this.rangeStart[done]! : hold;
    const opensNow = straddles && (done !== 0 || !this.firstOpen);
    if (plainEnd > cursor) size += plainEnd - cursor;
    if (opensNow) size += replacementLength;

    // Every byte of `out` is written below (size is exact), so it need not start zeroed.
    const out = size === 0 ? empty : freshBytes(size);
    let offset = 0;
    cursor = this.cursor;
    for (let k = 0; k < done; k++) {
      const start = this.rangeStart[k]!;
      if (start > cursor) offset = this.copy(out, offset, cursor, start, chunk, chunkPosition);
      if (k !== 0 || !this.firstOpen) {
        out.set(this.replacement, offset);
        offset += replacementLength;
      }
      this.counter.add(tagKind(this.longestKind[k]!));
      cursor = this.rangeEnd[k]!;
    }
    if (plainEnd > cursor) offset = this.copy(out, offset, cursor, plainEnd, chunk, chunkPosition);
    if (opensNow) out.set(this.replacement, offset);

    if (done > 0) {
      // The ranges left (those reaching past `hold`, a few at most) move to the front.
      this.rangeStart.copyWithin(0, done, count);
      this.rangeEnd.copyWithin(0, done, count);
      this.longestLength.copyWithin(0, done, count);
      this.longestStart.copyWithin(0, done, count);
      this.longestKind.copyWithin(0, done, count);
      this.rangeCount = count - done;
    }
    this.firstOpen = straddles;
    this.cursor = straddles ? this.rangeStart[0]! : hold;
    // Keep input [hold, position) as the new tail. It is at most a few times the longest pattern,
    // more when colour sequences sit inside a held prefix: then the buffer grows.
    const oldTailPosition = chunkPosition - this.tailLength;
    if (this.position - hold > this.tail.length) {
      const grown = new Uint8Array(Math.max(2 * this.tail.length, this.position - hold));
      grown.set(this.tail.subarray(0, this.tailLength));
      this.tail.fill(0);
      this.tail = grown;
    }
    if (hold < chunkPosition) {
      this.tail.copyWithin(0, hold - oldTailPosition, this.tailLength);
      this.tail.set(chunk, chunkPosition - hold);
    } else {
      this.tail.set(chunk.subarray(hold - chunkPosition));
    }
    this.tailLength = this.position - hold;
    return out;
  }

  /** Copies input bytes `from .. to` (absolute positions) out of the tail and the chunk. */
  private copy(
    out: Uint8Array,
    offset: number,
    from: number,
    to: number,
    chunk: Uint8Array,
    chunkPosition: number,
  ): number {
    const tailPosition = chunkPosition - this.tailLength;
    if (from < chunkPosition) {
      const tailTo = Math.min(to, chunkPosition);
      out.set(this.tail.subarray(from - tailPosition, tailTo - tailPosition), offset);
      offset += tailTo - from;
      from = tailTo;
    }
    if (from < to) {
      out.set(chunk.subarray(from - chunkPosition, to - chunkPosition), offset);
      offset += to - from;
    }
    return offset;
  }
}
