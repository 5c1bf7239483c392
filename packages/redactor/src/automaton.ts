import type { ChunkScanner } from './chunk-scanner.js';
import type { MatchList } from './match-list.js';
import { edgeAfter, edgeBefore } from './match-tag.js';
import type { PatternSet } from './pattern-set.js';

/** Bytes of transition table the shallowest states may get as full 256-entry rows. */
const defaultDenseBudget = 256 * 1024;

/** State numbers: 16-bit while they fit, else 32-bit. */
type StateArray = Uint16Array | Int32Array;
/** Lengths (depths, match lengths): 16-bit while the longest pattern fits, else 32-bit. */
type LengthArray = Uint16Array | Int32Array;

/** {@link Automaton.flags}: a pattern of the wrapped subset lies strictly below this state. */
const wrappedInner = 1;
/** {@link Automaton.flags}: a wrapped pattern that takes in the character before it lies strictly below. */
const wrappedEdgeBelow = 2;
/** {@link Automaton.flags}: a pattern ends at this state (it stands for the whole pattern). */
const terminal = 4;
/** {@link Automaton.flags}: a pattern of the wrapped subset ends at this state. */
const wrappedTerminal = 8;
/** {@link Automaton.flags}: some pattern is a suffix of what this state stands for: a match ends here. */
export const matchHere = 16;
/** {@link Automaton.flags}: some wrapped pattern is a suffix of what this state stands for. */
export const wrappedMatchHere = 32;

const stateArray = (length: number, states: number): StateArray =>
  states <= 0x10000 ? new Uint16Array(length) : new Int32Array(length);
const lengthArray = (length: number, longest: number): LengthArray =>
  longest <= 0xffff ? new Uint16Array(length) : new Int32Array(length);

/**
 * An Aho–Corasick automaton over bytes, stored compactly. States are numbered
 * breadth-first, so the children of a state are consecutive
 * (`firstChild[s] .. firstChild[s + 1] - 1`) and the shallow states, where a
 * scan spends nearly all its time, come first. The root and the states one
 * byte deep get a full row of 256 transitions (within a byte budget); the
 * others are sparse rows, their children and a failure link. State numbers
 * and depths take 16 bits where they fit: about 10 bytes per state in all (14
 * past 65,536 states). Whether a match ends at a state is a flag; its length is
 * found by following failure links to the pattern's own state, only then.
 *
 * Besides the matches of all patterns, it tracks a subset (the encoded forms
 * matched across line breaks): the longest of those ending at a state, and
 * what the wrapped search must hold back. The subset's own automaton would be
 * the same states again, so one automaton serves both.
 */
export class Automaton implements ChunkScanner {
  /** Number of states; state 0 is the root. */
  readonly stateCount: number;
  /** States `0 .. denseCount - 1` have a row in {@link dense}. */
  readonly denseCount: number;
  /** `dense[state * 256 + byte]` is the next state, for `state < denseCount`. */
  readonly dense: StateArray;
  readonly fail: StateArray;
  /** `stateCount + 1` entries: the children of `s` are `firstChild[s] .. firstChild[s + 1] - 1`. */
  readonly firstChild: StateArray;
  /** The byte that leads to each state from its parent. */
  readonly label: Uint8Array;
  /** Length of the string a state stands for: the longest suffix read so far that begins a pattern. */
  readonly depth: LengthArray;
  /**
   * Match tag of that pattern (see `match-tag.ts`), with the {@link edgeAfter} bit
   * of every shorter pattern that ends there too.
   */
  readonly matchTag: Uint8Array;
  /** {@link matchTag} for the wrapped subset only. */
  readonly wrappedTag: Uint8Array;
  /** {@link matchHere}, {@link wrappedMatchHere}, {@link terminal}, {@link wrappedInner}... bits. */
  readonly flags: Uint8Array;
  /**
   * `outside[byte]` is 1 for a byte value that occurs in no pattern: reading
   * one leads to the root from any state.
   */
  readonly outside: Uint8Array;

  /**
   * @param wrapped which patterns form the wrapped subset (none by default).
   * @param denseBudget bytes of full rows at most; the root always has one.
   */
  constructor(
    set: PatternSet,
    denseBudget = defaultDenseBudget,
    wrapped: (pattern: number) => boolean = () => false,
  ) {
    // 1. Trie, in insertion order. The root's children are kept in a direct table while building.
    const capacity = 1 + set.pool.length;
    const tFirst = new Int32Array(capacity).fill(-1);
    const tNext = new Int32Array(capacity).fill(-1);
    const tLabel = new Uint8Array(capacity);
    const tPattern = new Int32Array(capacity).fill(-1);
    const rootChild = new Int32Array(256).fill(-1);
    let count = 1;
    for (let p = 0; p < set.count; p++) {
      const start = set.starts[p]!;
      const end = start + set.lengths[p]!;
      let state = 0;
      for (let i = start; i < end; i++) {
        const byte = set.pool[i]!;
        let child = state === 0 ? rootChild[byte]! : tFirst[state]!;
        if (state !== 0) while (child !== -1 && tLabel[child] !== byte) child = tNext[child]!;
        if (child === -1) {
          child = count++;
          tLabel[child] = byte;
          tNext[child] = tFirst[state]!;
          tFirst[state] = child;
          if (state === 0) rootChild[byte] = child;
        }
        state = child;
      }
      tPattern[state] = p;
    }

    // 2. Renumber breadth-first: the children of each state get consecutive numbers.
    const longest = set.maxLength;
    this.stateCount = count;
    this.firstChild = stateArray(count + 1, count);
    this.label = new Uint8Array(count);
    this.depth = lengthArray(count, longest);
    this.fail = stateArray(count, count);
    this.matchTag = new Uint8Array(count);
    this.wrappedTag = new Uint8Array(count);
    this.flags = new Uint8Array(count);
    const parent = new Int32Array(count);
    const pattern = new Int32Array(count);
    {
      const order = new Int32Array(count);
      let tailIndex = 1;
      for (let state = 0; state < count; state++) {
        const old = order[state]!;
        this.firstChild[state] = tailIndex;
        pattern[state] = tPattern[old]!;
        for (let child = tFirst[old]!; child !== -1; child = tNext[child]!) {
          parent[tailIndex] = state;
          this.label[tailIndex] = tLabel[child]!;
          this.depth[tailIndex] = this.depth[state]! + 1;
          order[tailIndex++] = child;
        }
      }
      this.firstChild[count] = count;
      this.outside = new Uint8Array(256).fill(1);
      for (let state = 1; state < count; state++) this.outside[this.label[state]!] = 0;
    }

    // Which states have below them a wrapped pattern, and one that takes in the character before it.
    for (let state = count - 1; state > 0; state--) {
      const p = pattern[state]!;
      const up = parent[state]!;
      let bits = this.flags[state]!;
      if (p !== -1 && wrapped(p)) bits |= wrappedInner;
      if (p !== -1 && wrapped(p) && (set.tags[p]! & edgeBefore) !== 0) bits |= wrappedEdgeBelow;
      this.flags[up]! |= bits;
    }

    // 3. Failure links, match lengths and dense rows, shallow states first. Dense rows go to
    // the root and the states one byte deep, as many as the budget holds.
    const rowBytes = 256 * this.fail.BYTES_PER_ELEMENT;
    const oneDeep = count > 1 ? this.firstChild[1]! : 1;
    this.denseCount = Math.max(1, Math.min(oneDeep, Math.floor(denseBudget / rowBytes)));
    this.dense = stateArray(this.denseCount * 256, count);
    for (let state = 0; state < count; state++) {
      const fail =
        state === 0 || parent[state] === 0
          ? 0
          : this.next(this.fail[parent[state]!]!, this.label[state]!);
      this.fail[state] = fail;
      const p = pattern[state]!;
      const inherited = state === 0 ? 0 : this.flags[fail]! & (matchHere | wrappedMatchHere);
      let bits = inherited;
      if (p !== -1) {
        bits |= terminal | matchHere;
        this.matchTag[state] = set.tags[p]! | (state === 0 ? 0 : this.matchTag[fail]! & edgeAfter);
      } else if (state !== 0) {
        this.matchTag[state] = this.matchTag[fail]!;
      }
      if (p !== -1 && wrapped(p)) {
        bits |= wrappedTerminal | wrappedMatchHere;
        this.wrappedTag[state] =
          set.tags[p]! | (state === 0 ? 0 : this.wrappedTag[fail]! & edgeAfter);
      } else if (state !== 0) {
        this.wrappedTag[state] = this.wrappedTag[fail]!;
      }
      this.flags[state]! |= bits;
      if (state < this.denseCount) {
        const row = state * 256;
        if (state !== 0) this.dense.copyWithin(row, fail * 256, fail * 256 + 256);
        const last = this.firstChild[state + 1]!;
        for (let child = this.firstChild[state]!; child < last; child++) {
          this.dense[row + this.label[child]!] = child;
        }
      }
    }
  }

  /** The state reached from `state` on `byte`. */
  next(state: number, byte: number): number {
    const { dense, denseCount, firstChild, label, fail } = this;
    for (;;) {
      if (state < denseCount) return dense[(state << 8) | byte]!;
      const last = firstChild[state + 1]!;
      for (let child = firstChild[state]!; child < last; child++) {
        if (label[child] === byte) return child;
      }
      state = fail[state]!;
    }
  }

  /** Length of the longest pattern that ends where `state` is reached, 0 for none. */
  matchLength(state: number): number {
    if ((this.flags[state]! & matchHere) === 0) return 0;
    while ((this.flags[state]! & terminal) === 0) state = this.fail[state]!;
    return this.depth[state]!;
  }

  /** {@link matchLength} for the wrapped subset. */
  wrappedLength(state: number): number {
    if ((this.flags[state]! & wrappedMatchHere) === 0) return 0;
    while ((this.flags[state]! & wrappedTerminal) === 0) state = this.fail[state]!;
    return this.depth[state]!;
  }

  /**
   * Length of the longest suffix read so far that is a proper prefix of some
   * pattern: the bytes that must be held back, since a match could still start there.
   */
  holdDepth(state: number): number {
    while (state !== 0 && this.firstChild[state + 1] === this.firstChild[state]) {
      state = this.fail[state]!;
    }
    return this.depth[state]!;
  }

  /** {@link holdDepth} for the wrapped subset: the longest suffix that is a proper prefix of a wrapped pattern. */
  wrappedHoldDepth(state: number): number {
    while (state !== 0 && (this.flags[state]! & wrappedInner) === 0) state = this.fail[state]!;
    return this.depth[state]!;
  }

  /**
   * Length of the longest suffix read so far that is a proper prefix of a
   * wrapped pattern taking in the character before it, or -1 for none (0: no
   * suffix, but such a pattern could start with the next byte). The character
   * before that suffix may become part of a match, so it is held back too.
   */
  wrappedEdgeHoldDepth(state: number): number {
    while (state !== 0 && (this.flags[state]! & wrappedEdgeBelow) === 0) state = this.fail[state]!;
    if (state === 0) return (this.flags[0]! & wrappedEdgeBelow) === 0 ? -1 : 0;
    return this.depth[state]!;
  }

  /** Bytes held by this automaton's arrays. */
  get byteLength(): number {
    return (
      this.dense.byteLength +
      this.fail.byteLength +
      this.firstChild.byteLength +
      this.label.byteLength +
      this.depth.byteLength +
      this.matchTag.byteLength +
      this.wrappedTag.byteLength +
      this.flags.byteLength +
      this.outside.byteLength
    );
  }

  /** Reports, for each end in the chunk where a pattern occurs entirely inside it, the longest one. */
  scan(chunk: Uint8Array, chunkPosition: number, found: MatchList): number {
    const { dense, denseCount, flags, matchTag } = this;
    let state = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      state = state < denseCount ? dense[(state << 8) | byte]! : this.next(state, byte);
      if ((flags[state]! & matchHere) === 0) continue;
      const length = this.matchLength(state);
      if (length <= i + 1) {
        found.add(chunkPosition + i + 1 - length, chunkPosition + i + 1, matchTag[state]!);
      }
    }
    return 0;
  }

  /**
   * The state reached from the root after reading `bytes[from .. to)`. It
   * steps only from the last byte that occurs in no pattern (after which the
   * state is the root whatever came before), found by reading back from `to`:
   * in text that is usually a few bytes back.
   */
  run(bytes: Uint8Array, from: number, to: number): number {
    const outside = this.outside;
    let start = to;
    while (start > from && outside[bytes[start - 1]!] === 0) start--;
    let state = 0;
    for (let i = start; i < to; i++) state = this.next(state, bytes[i]!);
    return state;
  }
}
