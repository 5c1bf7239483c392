import type { ChunkScanner } from './chunk-scanner.js';
import type { MatchList } from './match-list.js';
import { edgeAfter, edgeBefore } from './match-tag.js';
import type { PatternSet } from './pattern-set.js';

/** Bytes of transition table the shallowest states get as full 256-entry rows. */
const defaultDenseBudget = 8 * 1024 * 1024;

/**
 * An Aho–Corasick automaton over bytes. States are numbered breadth-first, so
 * the shallow states, where a scan spends nearly all its time, come first; the
 * first {@link denseCount} of them have a full row of 256 transitions (a DFA),
 * the deeper ones a list of children and a failure link. Memory stays linear
 * in the total length of the patterns whatever their number.
 */
export class Automaton implements ChunkScanner {
  /** Number of states; state 0 is the root. */
  readonly stateCount: number;
  /** States `0 .. denseCount - 1` have a row in {@link dense}. */
  readonly denseCount: number;
  /** `dense[state * 256 + byte]` is the next state, for `state < denseCount`. */
  readonly dense: Int32Array;
  readonly fail: Int32Array;
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  readonly label: Uint8Array;
  /** Length of the string a state stands for: the longest suffix read so far that begins a pattern. */
  readonly depth: Int32Array;
  /**
   * Length of the longest suffix read so far that is a proper prefix of some
   * pattern: the bytes that must be held back, since a match could still start there.
   */
  readonly holdDepth: Int32Array;
  /** Length of the longest pattern that ends where this state is reached, 0 for none. */
  readonly matchLength: Int32Array;
  /**
   * Match tag of that pattern (see `match-tag.ts`), with the {@link edgeAfter} bit
   * of every shorter pattern that ends there too.
   */
  readonly matchTag: Uint8Array;
  /**
   * Length of the longest suffix read so far that is a proper prefix of a pattern
   * with the {@link edgeBefore} bit, or -1 for none (0: no suffix, but such a
   * pattern could start with the next byte). The character before that suffix may
   * become part of a match, so it is held back too.
   */
  readonly edgeHoldDepth: Int32Array;

  constructor(set: PatternSet, denseBudget = defaultDenseBudget) {
    // 1. Trie, in insertion order. The root's children are kept in a direct table while building.
    const capacity = 1 + set.pool.length;
    const tFirst = new Int32Array(capacity).fill(-1);
    const tNext = new Int32Array(capacity).fill(-1);
    const tLabel = new Uint8Array(capacity);
    const tDepth = new Int32Array(capacity);
    const tParent = new Int32Array(capacity);
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
          tDepth[child] = tDepth[state]! + 1;
          tParent[child] = state;
          tNext[child] = tFirst[state]!;
          tFirst[state] = child;
          if (state === 0) rootChild[byte] = child;
        }
        state = child;
      }
      tPattern[state] = p;
    }

    // 2. Renumber breadth-first.
    const order = new Int32Array(count);
    const renumbered = new Int32Array(count);
    let head = 0;
    let tailIndex = 1;
    while (head < tailIndex) {
      const old = order[head++]!;
      for (let child = tFirst[old]!; child !== -1; child = tNext[child]!) {
        renumbered[child] = tailIndex;
        order[tailIndex++] = child;
      }
    }
    this.stateCount = count;
    this.firstChild = new Int32Array(count).fill(-1);
    this.nextSibling = new Int32Array(count).fill(-1);
    this.label = new Uint8Array(count);
    this.depth = new Int32Array(count);
    this.fail = new Int32Array(count);
    this.matchLength = new Int32Array(count);
    this.matchTag = new Uint8Array(count);
    this.holdDepth = new Int32Array(count);
    this.edgeHoldDepth = new Int32Array(count);
    const parent = new Int32Array(count);
    const pattern = new Int32Array(count);
    for (let state = 0; state < count; state++) {
      const old = order[state]!;
      this.label[state] = tLabel[old]!;
      this.depth[state] = tDepth[old]!;
      parent[state] = renumbered[tParent[old]!]!;
      pattern[state] = tPattern[old]!;
      const first = tFirst[old]!;
      const next = tNext[old]!;
      if (first !== -1) this.firstChild[state] = renumbered[first]!;
      if (next !== -1) this.nextSibling[state] = renumbered[next]!;
    }

    // Which states have below them a pattern whose match takes in the character before it.
    const edgeBelow = new Uint8Array(count);
    for (let state = count - 1; state > 0; state--) {
      const p = pattern[state]!;
      if (edgeBelow[state] || (p !== -1 && (set.tags[p]! & edgeBefore) !== 0)) {
        edgeBelow[parent[state]!] = 1;
      }
    }

    // 3. Failure links, match lengths and dense rows, shallow states first.
    this.denseCount = Math.max(1, Math.min(count, Math.floor(denseBudget / 1024)));
    this.dense = new Int32Array(this.denseCount * 256);
    for (let state = 0; state < count; state++) {
      const fail =
        state === 0 || parent[state] === 0
          ? 0
          : this.next(this.fail[parent[state]!]!, this.label[state]!);
      this.fail[state] = fail;
      if (pattern[state] !== -1) {
        this.matchLength[state] = this.depth[state]!;
        this.matchTag[state] =
          set.tags[pattern[state]!]! | (state === 0 ? 0 : this.matchTag[fail]! & edgeAfter);
      } else if (state !== 0) {
        this.matchLength[state] = this.matchLength[fail]!;
        this.matchTag[state] = this.matchTag[fail]!;
      }
      this.edgeHoldDepth[state] =
        this.firstChild[state] !== -1 && edgeBelow[state]
          ? this.depth[state]!
          : state === 0
            ? -1
            : this.edgeHoldDepth[fail]!;
      this.holdDepth[state] =
        this.firstChild[state] !== -1
          ? this.depth[state]!
          : state === 0
            ? 0
            : this.holdDepth[fail]!;
      if (state < this.denseCount) {
        const row = state * 256;
        if (state !== 0) this.dense.copyWithin(row, fail * 256, fail * 256 + 256);
        for (let child = this.firstChild[state]!; child !== -1; child = this.nextSibling[child]!) {
          this.dense[row + this.label[child]!] = child;
        }
      }
    }
  }

  /** The state reached from `state` on `byte`. */
  next(state: number, byte: number): number {
    for (;;) {
      if (state < this.denseCount) return this.dense[state * 256 + byte]!;
      for (let child = this.firstChild[state]!; child !== -1; child = this.nextSibling[child]!) {
        if (this.label[child] === byte) return child;
      }
      state = this.fail[state]!;
    }
  }

  /** Reports, for each end in the chunk where a pattern occurs entirely inside it, the longest one. */
  scan(chunk: Uint8Array, chunkPosition: number, found: MatchList): number {
    const { dense, denseCount, matchLength, matchTag } = this;
    let state = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      state = state < denseCount ? dense[(state << 8) | byte]! : this.next(state, byte);
      const length = matchLength[state]!;
      if (length !== 0 && length <= i + 1) {
        found.add(chunkPosition + i + 1 - length, chunkPosition + i + 1, matchTag[state]!);
      }
    }
    return 0;
  }

  /** The state reached from the root after reading `bytes[from .. to)`. */
  run(bytes: Uint8Array, from: number, to: number): number {
    let state = 0;
    for (let i = from; i < to; i++) state = this.next(state, bytes[i]!);
    return state;
  }
}
