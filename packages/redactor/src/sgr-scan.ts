import { type Automaton, matchHere } from './automaton.js';
import type { MatchList } from './match-list.js';
import { edgeAfter, edgeBefore } from './match-tag.js';

const escByte = 0x1b;
const leftBracket = 0x5b;
const letterM = 0x6d;
/** Longest SGR sequence skipped (`ESC [ 38;2;255;255;255 m` is 19 bytes); a longer one is text. */
export const maxSgrLength = 32;

/** Whether `byte` may appear between `ESC [` and `m` of an SGR sequence: digits, `;` and `:`. */
const isSgrParameter = (byte: number) =>
  (byte >= 0x30 && byte <= 0x39) || byte === 0x3b || byte === 0x3a;

/** Finds a byte in a chunk: Node's `Buffer.indexOf` (memchr) where there is one. */
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(
        buffer: ArrayBufferLike,
        offset: number,
        length: number,
      ): { indexOf(byte: number, from: number): number };
      isBuffer(value: unknown): boolean;
    };
  }
).Buffer;

/**
 * One stream's search for patterns with SGR escByte sequences (`ESC [ … m`,
 * terminal colours and styles) inside them, as a coloured log prints a secret
 * whose characters are highlighted. It reads the output as if those sequences
 * were absent and reports only matches that contain one: the main search
 * finds the others. The replaced range runs from the match's first byte to its
 * last, sequences inside included.
 *
 * Output rarely holds an escByte byte, so the scan jumps from one to the next
 * (a native byte search). At a sequence it works out the automaton state just
 * before it from the bytes before; only when that state stands for the start of
 * some pattern can a match run across the sequence, and only then does it step
 * the automaton over the following bytes, until the state no longer reaches
 * back over the last sequence. Everywhere else the output without sequences
 * equals the output, so the state there follows from the main automaton's.
 */
export class SgrScan {
  private readonly automaton: Automaton;
  private readonly longest: number;
  /** Stepping the automaton over the output without sequences; else waiting for the next escByte byte. */
  private active = false;
  private state = 0;
  /** Bytes stepped since the last sequence ended (while active). */
  private since = 0;
  /** Bytes stepped so far; `ring[k & mask]` is the position of byte `k`. */
  private views = 0;
  private readonly ring: Float64Array;
  private readonly mask: number;
  /** Position just after the last sequence skipped, active or not. */
  private lastEnd = Number.NEGATIVE_INFINITY;
  /** A sequence begun and not finished: its bytes so far (0: none), and where it began. */
  private pendingLength = 0;
  private pendingStart = 0;
  private readonly pending = new Uint8Array(maxSgrLength);

  constructor(automaton: Automaton, longest: number) {
    this.automaton = automaton;
    this.longest = longest;
    let size = 8;
    while (size < longest + 2) size *= 2;
    this.ring = new Float64Array(size);
    this.mask = size - 1;
  }

  /**
   * Adds to `found`, in order of end, the matches that end in the chunk and
   * contain a sequence. `mainState` is the main automaton's state before the chunk.
   */
  scan(chunk: Uint8Array, chunkPosition: number, found: MatchList, mainState: number): void {
    const length = chunk.length;
    let i = 0;
    const search = escapeSearch(chunk);
    if (!this.active && this.pendingLength === 0) {
      i = search.indexOf(escByte, 0);
      if (i === -1) return;
    }
    // The main state before the chunk, cut to what lies after the last sequence: the state of
    // the output without sequences, wherever the scan is not active.
    let before = mainState;
    while (this.automaton.depth[before]! > chunkPosition - this.lastEnd) {
      before = this.automaton.fail[before]!;
    }
    while (i < length) {
      if (this.pendingLength > 0) {
        i = this.continueSequence(chunk, i, chunkPosition, found);
        continue;
      }
      if (!this.active) {
        const at = search.indexOf(escByte, i);
        if (at === -1) return;
        this.startSequence(chunk, at, chunkPosition, before);
        i = at + 1;
        continue;
      }
      const byte = chunk[i]!;
      if (byte === escByte) {
        this.pendingStart = chunkPosition + i;
        this.pending[0] = byte;
        this.pendingLength = 1;
      } else this.feed(byte, chunkPosition + i, found);
      i++;
    }
  }

  /**
   * An escByte byte at `at`, the scan not active: the state before it is the
   * main state over the bytes since the last sequence (at most the longest
   * pattern's length of them). It goes active only if that state is inside a pattern.
   */
  private startSequence(chunk: Uint8Array, at: number, chunkPosition: number, before: number) {
    const automaton = this.automaton;
    const position = chunkPosition + at;
    const from = Math.max(this.lastEnd, chunkPosition, position - this.longest);
    let state = from === chunkPosition ? before : 0;
    for (let k = from - chunkPosition; k < at; k++) state = automaton.next(state, chunk[k]!);
    while (automaton.depth[state]! > position - this.lastEnd) state = automaton.fail[state]!;
    const depth = automaton.depth[state]!;
    if (depth > 0) {
      this.active = true;
      this.state = state;
      this.since = 0;
      // The bytes the state stands for lie just before the escByte, with no sequence among them.
      for (let k = depth; k > 0; k--) this.ring[this.views++ & this.mask] = position - k;
    }
    this.pendingStart = position;
    this.pending[0] = escByte;
    this.pendingLength = 1;
  }

  /** Reads the next byte of a begun sequence at `i`; returns where to go on. */
  private continueSequence(
    chunk: Uint8Array,
    i: number,
    chunkPosition: number,
    found: MatchList,
  ): number {
    const byte = chunk[i]!;
    const length = this.pendingLength;
    const fits =
      length < maxSgrLength &&
      (length === 1 ? byte === leftBracket : isSgrParameter(byte) || byte === letterM);
    if (!fits) {
      // Not an SGR sequence: its bytes are output like any other; read this byte again after them.
      this.pendingLength = 0;
      if (this.active) {
        for (let k = 0; k < length; k++) this.feed(this.pending[k]!, this.pendingStart + k, found);
      }
      return i;
    }
    this.pending[length] = byte;
    this.pendingLength = length + 1;
    if (byte === letterM) {
      this.pendingLength = 0;
      this.lastEnd = chunkPosition + i + 1;
      this.since = 0;
    }
    return i + 1;
  }

  /** Steps the automaton over one byte of the output without sequences, at `position`. */
  private feed(byte: number, position: number, found: MatchList): void {
    const automaton = this.automaton;
    const state = automaton.next(this.state, byte);
    this.state = state;
    this.ring[this.views++ & this.mask] = position;
    this.since++;
    if ((automaton.flags[state]! & matchHere) !== 0) {
      const matched = automaton.matchLength(state);
      const start = this.ring[(this.views - matched) & this.mask]!;
      // No edge characters: the bytes beside a match split by a sequence may belong to the sequence.
      const tag = automaton.matchTag[state]! & ~(edgeBefore | edgeAfter);
      if (position + 1 - start > matched) found.add(start, position + 1, tag);
    }
    // Once the state no longer reaches back over the last sequence, the main state says the same.
    if (automaton.depth[state]! <= this.since) this.active = false;
  }

  /**
   * The position from which the input read so far must be held back: the
   * start of the longest suffix, sequences left out, that is a proper prefix of
   * a pattern and reaches back over a sequence. `position` when none does.
   */
  heldFrom(position: number): number {
    if (!this.active) return position;
    const depth = this.automaton.holdDepth(this.state);
    return depth > this.since || (depth > 0 && this.pendingLength > 0)
      ? this.ring[(this.views - depth) & this.mask]!
      : position;
  }

  /** Forgets the bytes of a sequence left unfinished at the end of the output. */
  end(): void {
    this.pending.fill(0);
    this.pendingLength = 0;
    this.active = false;
  }
}

/** Node's `Buffer.indexOf` (memchr) over the chunk where there is one and the chunk is large; else the chunk's own. */
function escapeSearch(chunk: Uint8Array): { indexOf(byte: number, from: number): number } {
  // A chunk from a Node stream is a Buffer already: no view to make (it would be garbage).
  if (chunk.length < 256 || NodeBuffer === undefined || NodeBuffer.isBuffer(chunk)) return chunk;
  return NodeBuffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
