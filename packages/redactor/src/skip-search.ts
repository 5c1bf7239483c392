import type { ChunkScanner } from './chunk-scanner.js';
import { MatchList } from './match-list.js';
import { edgeBefore } from './match-tag.js';
import type { PatternSet } from './pattern-set.js';
import type { SkipTables, WasmScan } from './wasm-scan.js';

/** Second multiplier of the 8-byte block hash. */
const highMultiplier = 0x85ebca6b;
/** Bits of the hash kept for the presence bitset (up to 512 KiB). */
const maxBitsetBits = 22;
/** Bits of the hash kept for the shift and bucket tables. */
const maxTableBits = 17;
/** Bits of the hash kept for the verify bitset (up to 32 KiB; about 16 bits per pattern). */
const maxVerifyBits = 18;
const minVerifyBits = 8;

/**
 * The two presence bits of a block in word `hash >>> 5` of the presence bitset:
 * bit `hash & 31` and the bit that the 5 bits of `product` just below the hash
 * pick (`product >>> lowShift`, the shift taking the count mod 32), as the
 * module computes them. Two bits from one word: a block outside the patterns
 * passes only if both are set, about half as often as one at 1,000 secrets,
 * for the same one read.
 */
function presenceBits(product: number, hash: number, lowShift: number): number {
  return (1 << (hash & 31)) | (1 << (product >>> lowShift));
}

/**
 * The verify hash of the window of `window` bytes at `at`: its first 4 bytes
 * and its last 4 (little-endian words), as the module computes it, keeping
 * the top `32 - shift` bits.
 */
function verifyHash(bytes: Uint8Array, at: number, window: number, shift: number): number {
  const last = at + window - 4;
  const first =
    bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  const end =
    bytes[last]! | (bytes[last + 1]! << 8) | (bytes[last + 2]! << 16) | (bytes[last + 3]! << 24);
  return Math.imul(first ^ Math.imul(end, highMultiplier), 0x9e3779b1) >>> shift;
}

/**
 * A Wu–Manber multi-pattern search. It slides a window as long as the shortest
 * pattern, hashes the window's last 4 bytes and, when no pattern has that block
 * among its first window-length bytes, jumps a whole window ahead without
 * reading the bytes in between. Only windows whose last block ends some
 * pattern's first window-length bytes are compared, byte by byte, with the
 * patterns filed under that block.
 *
 * A presence bitset over a wide hash answers the common question (is this
 * block in any pattern at all?) from a table small enough to stay in cache,
 * with two bits of one word per block (see {@link presenceBits});
 * the exact shift is read from a second, smaller table only when it is. Where
 * the shift is 0, a third table, a bitset over the hash of each pattern's
 * first 4 bytes and the last 4 of its first window, drops most windows before
 * any pattern is read: most windows that reach it start no pattern, and
 * comparing one costs a few dependent reads into the pattern tables.
 * Patterns must be at least 4 bytes long; the skip is at most `window - 3`.
 *
 * With `block = 8` it hashes the window's last 8 bytes instead (the word
 * `lo ^ imul(hi, 0x85ebca6b)` hashed as a 4-byte block is), and the skip is at
 * most `window - 7`. That is for text whose 4-byte blocks carry few bits: a
 * block of 4 hex digits is one of only 65,536, so with a thousand secrets'
 * hex forms nearly every such block is in some pattern and the 4-byte search
 * compares at almost every position; 8 hex digits carry 32 bits, as 4 bytes
 * of a secret do.
 */
export class SkipSearch implements ChunkScanner, SkipTables {
  /** Length of the shortest pattern. */
  readonly window: number;
  /** Bytes hashed per step: 4 or 8. */
  readonly block: 4 | 8;
  private readonly bitsetShift: number;
  /** The product's bits dropped to get the 5 bits just below the hash: the second presence bit. */
  private readonly lowShift: number;
  private readonly tableShift: number;
  /** The hash bits dropped to get a bucket index. */
  private readonly bucketShift: number;
  /**
   * Presence bitset and shift table. With the WebAssembly engine these are views
   * of the module's memory, the one copy of the tables (see `WasmScan`).
   */
  present: Int32Array;
  shift: Uint8Array;
  verify: Int32Array;
  private readonly verifyShift: number;
  /** Index of this search's tables in the {@link WasmScan} memory, when there is one. */
  wasmTable = -1;
  /**
   * Patterns filed by the hash of their window's last block: bucket `b` is
   * entries `bucketStart[b] .. bucketStart[b + 1] - 1`, entry `e` being the
   * pattern's start in the pool, its length and its tag at `3e`, `3e + 1` and
   * `3e + 2` of `entries` (side by side, so a window compares with one read
   * into the tables before the pattern's bytes).
   */
  private readonly bucketStart: Int32Array;
  private readonly entries: Int32Array;
  private readonly set: PatternSet;

  /**
   * `maxBits` caps the presence bitset (2^maxBits bits; at most 22, 512 KiB)
   * and the shift table (2^(maxBits - 3) slots): a search whose blocks carry 32
   * bits of text still rejects most blocks with smaller tables.
   */
  constructor(set: PatternSet, block: 4 | 8 = 4, maxBits = maxBitsetBits) {
    this.set = set;
    const window = set.minLength;
    if (window < block) {
      throw new RangeError(`SkipSearch needs patterns of at least its ${block}-byte block`);
    }
    this.window = window;
    this.block = block;
    const blocksPerPattern = window - block + 1;
    const maxShift = Math.min(255, blocksPerPattern);
    const entries = set.count * Math.min(blocksPerPattern, maxShift);
    // The bitset has about 32 bits per entry, so few blocks outside the patterns pass it; the
    // shift table, read only for those that pass, about 4 slots per entry; the buckets, read only
    // where the shift is 0, about 2 per pattern.
    const bitsetBits = Math.min(
      maxBitsetBits,
      maxBits,
      Math.max(10, Math.ceil(Math.log2(entries * 32))),
    );
    const tableBits = Math.min(
      maxTableBits,
      bitsetBits,
      maxBits - 3,
      Math.max(8, Math.ceil(Math.log2(entries * 4))),
    );
    const bucketBits = Math.min(bitsetBits, Math.max(4, Math.ceil(Math.log2(set.count * 2))));
    this.bitsetShift = 32 - bitsetBits;
    this.lowShift = this.bitsetShift - 5;
    this.tableShift = bitsetBits - tableBits;
    this.bucketShift = bitsetBits - bucketBits;
    this.present = new Int32Array(1 << (bitsetBits - 5));
    this.shift = new Uint8Array(1 << tableBits).fill(maxShift);
    const verifyBits = Math.min(
      maxVerifyBits,
      Math.max(minVerifyBits, Math.ceil(Math.log2(set.count * 16))),
    );
    this.verifyShift = 32 - verifyBits;
    this.verify = new Int32Array(1 << (verifyBits - 5));
    const bucketCount = 1 << bucketBits;
    const counts = new Int32Array(bucketCount + 1);
    const lastBlock = new Int32Array(set.count);
    for (let p = 0; p < set.count; p++) {
      const start = set.starts[p]!;
      for (let q = blocksPerPattern - maxShift; q < blocksPerPattern; q++) {
        const product = this.productAt(set.pool, start + q);
        const hash = product >>> this.bitsetShift;
        this.present[hash >>> 5]! |= presenceBits(product, hash, this.lowShift);
        const slot = hash >>> this.tableShift;
        const distance = blocksPerPattern - 1 - q;
        if (distance < this.shift[slot]!) this.shift[slot] = distance;
      }
      const verify = verifyHash(set.pool, start, window, this.verifyShift);
      this.verify[verify >>> 5]! |= 1 << (verify & 31);
      const bucket = this.hashAt(set.pool, start + blocksPerPattern - 1) >>> this.bucketShift;
      lastBlock[p] = bucket;
      counts[bucket + 1]!++;
    }
    for (let bucket = 0; bucket < bucketCount; bucket++) counts[bucket + 1]! += counts[bucket]!;
    this.bucketStart = counts.slice();
    this.entries = new Int32Array(3 * set.count);
    // Longest first, so the first pattern that matches at a position is the longest one there.
    const byLength = Array.from({ length: set.count }, (_, p) => p).sort(
      (a, b) => set.lengths[b]! - set.lengths[a]!,
    );
    for (const p of byLength) {
      const entry = 3 * counts[lastBlock[p]!]!++;
      this.entries[entry] = set.starts[p]!;
      this.entries[entry + 1] = set.lengths[p]!;
      this.entries[entry + 2] = set.tags[p]!;
    }
  }

  /** Bytes held by this search's own arrays (the tables too, unless they live in the module). */
  get byteLength(): number {
    const tables =
      this.wasmTable >= 0
        ? 0
        : this.present.byteLength + this.shift.byteLength + this.verify.byteLength;
    return tables + this.bucketStart.byteLength + this.entries.byteLength;
  }

  private hashAt(bytes: Uint8Array, at: number): number {
    return this.productAt(bytes, at) >>> this.bitsetShift;
  }

  /** The block at `at` times the hash multiplier: the hash before its top bits are kept. */
  private productAt(bytes: Uint8Array, at: number): number {
    let word = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
    if (this.block === 8) {
      const high =
        bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24);
      word ^= Math.imul(high, highMultiplier);
    }
    return Math.imul(word, 0x9e3779b1);
  }

  /** Scratch list for the second cursor's matches, appended after the first's. */
  private readonly secondHalf = new MatchList();
  /** Windows with a shift of 0 during the current scan: compared, or dropped by the verify bitset. */
  private compared = 0;

  /**
   * Reports, for each start in the chunk where a pattern occurs entirely inside
   * it, the longest one, in order of start. Returns how many windows had a
   * shift of 0 (compared byte by byte, or dropped by the verify bitset): many
   * means the skip is not paying off on this data.
   * Only starts from `first` to `last` (both included) are looked at.
   */
  scan(
    chunk: Uint8Array,
    chunkPosition: number,
    found: MatchList,
    loaded?: WasmScan,
    first = 0,
    last = chunk.length,
  ): number {
    if (loaded !== undefined && this.wasmTable >= 0) {
      return this.skipInModule(loaded, chunk, chunkPosition, found, false, first, last);
    }
    const { present, bitsetShift, lowShift, block } = this;
    const lastBlockOffset = this.window - block;
    // The 8-byte block's second word (for a 4-byte block, the same word again, multiplied by 0).
    const highOffset = this.window - 4;
    const high = block === 8 ? highMultiplier : 0;
    const maxShift = Math.min(255, this.window - block + 1);
    const end = Math.min(last, chunk.length - this.window); // last start where a pattern can fit
    this.compared = 0;
    if (end < first) return 0;
    // A DataView reads a 4-byte word in one go (same value as the byte-by-byte hashAt).
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const productAt = (at: number) =>
      Math.imul(
        view.getInt32(at + lastBlockOffset, true) ^
          Math.imul(view.getInt32(at + highOffset, true), high),
        0x9e3779b1,
      );
    /** Whether both presence bits of the block that ends the window at `at` are set. */
    const passes = (product: number, hash: number) => {
      const bits = presenceBits(product, hash, lowShift);
      return (present[hash >>> 5]! & bits) === bits;
    };
    // Two cursors, over the first and second half of the starts, advance in the same loop: their
    // work is independent, so the CPU overlaps it (about 1.6 times faster than one cursor).
    const mid = (first + end + 1) >> 1;
    const second = this.secondHalf;
    second.clear();
    let a = first;
    let b = mid;
    while (a < mid && b <= end) {
      const productA = productAt(a);
      const productB = productAt(b);
      const hashA = productA >>> bitsetShift;
      const hashB = productB >>> bitsetShift;
      if (!passes(productA, hashA)) a += maxShift;
      else a += this.inspect(chunk, a, hashA, chunkPosition, found);
      if (!passes(productB, hashB)) b += maxShift;
      else b += this.inspect(chunk, b, hashB, chunkPosition, second);
    }
    while (a < mid) {
      const product = productAt(a);
      const hash = product >>> bitsetShift;
      if (!passes(product, hash)) a += maxShift;
      else a += this.inspect(chunk, a, hash, chunkPosition, found);
    }
    while (b <= end) {
      const product = productAt(b);
      const hash = product >>> bitsetShift;
      if (!passes(product, hash)) b += maxShift;
      else b += this.inspect(chunk, b, hash, chunkPosition, second);
    }
    found.append(second);
    return this.compared;
  }

  /**
   * {@link scan} over `run`, the first `run.length` bytes of the scratch of
   * `wasm` (a wrapped run copied there without its line breaks), with the
   * skipping loop in the module when this search's tables are there.
   */
  scanScratch(
    run: Uint8Array,
    found: MatchList,
    wasm: WasmScan,
    first = 0,
    last = run.length,
  ): number {
    if (this.wasmTable < 0) return this.scan(run, 0, found, undefined, first, last);
    return this.skipInModule(wasm, run, 0, found, true, first, last);
  }

  /**
   * The same search with the skipping loop run by WebAssembly over the chunk
   * loaded in `wasm` (or its scratch): it returns the window starts to compare,
   * which are compared here. Same matches, in the same order, as {@link scan}.
   */
  private skipInModule(
    wasm: WasmScan,
    chunk: Uint8Array,
    chunkPosition: number,
    found: MatchList,
    inScratch: boolean,
    first: number,
    last: number,
  ): number {
    const end = Math.min(last, chunk.length - this.window);
    this.compared = 0;
    if (end < first) return 0;
    const lastBlockOffset = this.window - this.block;
    const maxShift = Math.min(255, this.window - this.block + 1);
    const mid = (first + end + 1) >> 1;
    const second = this.secondHalf;
    second.clear();
    let a = first;
    let b = mid;
    while (a < mid || b <= end) {
      const { wasmTable, block, bitsetShift, tableShift, verifyShift } = this;
      const wordOffset = this.window - 4;
      wasm.skip(
        inScratch,
        wasmTable,
        block,
        a,
        mid,
        b,
        end,
        lastBlockOffset,
        maxShift,
        bitsetShift,
        tableShift,
        wordOffset,
        verifyShift,
      );
      const { words, countA, countB } = wasm;
      this.compared += wasm.zeroes;
      const listA = inScratch ? wasm.listC : wasm.listA;
      const listB = inScratch ? wasm.listD : wasm.listB;
      this.compareList(chunk, words, listA, countA, chunkPosition, found);
      this.compareList(chunk, words, listB, countB, chunkPosition, second);
      a = wasm.resumeA;
      b = wasm.resumeB;
    }
    found.append(second);
    return this.compared;
  }

  /**
   * The window at `at` has a last block that some pattern contains. Returns how
   * far the window can move; when that is 0, compares the patterns filed under
   * the block, reports the longest that matches, and moves by 1.
   */
  private inspect(
    chunk: Uint8Array,
    at: number,
    hash: number,
    chunkPosition: number,
    found: MatchList,
  ): number {
    const skip = this.shift[hash >>> this.tableShift]!;
    if (skip !== 0) return skip;
    this.compared++;
    const verify = verifyHash(chunk, at, this.window, this.verifyShift);
    if ((this.verify[verify >>> 5]! & (1 << (verify & 31))) !== 0) {
      this.compare(chunk, at, hash >>> this.bucketShift, chunkPosition, found);
    }
    return 1;
  }

  /** Compares the patterns filed under the window's last block (`bucket`) and reports the longest that matches. */
  private compare(
    chunk: Uint8Array,
    at: number,
    bucket: number,
    chunkPosition: number,
    found: MatchList,
  ): void {
    this.compareEntries(
      chunk,
      at,
      this.bucketStart[bucket]!,
      this.bucketStart[bucket + 1]!,
      chunkPosition,
      found,
    );
  }

  /** Compares the patterns of entries `from .. to - 1` with the window at `at` and reports the longest that matches. */
  private compareEntries(
    chunk: Uint8Array,
    at: number,
    from: number,
    to: number,
    chunkPosition: number,
    found: MatchList,
  ): void {
    const pool = this.set.pool;
    const entries = this.entries;
    let longest = -1;
    let tag = 0;
    for (let e = 3 * from; e < 3 * to; e += 3) {
      // Once the longest has matched, a shorter one adds only its edgeBefore bit: skip those that have none to add.
      if (longest !== -1 && (entries[e + 2]! & ~tag & edgeBefore) === 0) continue;
      const patternLength = entries[e + 1]!;
      if (at + patternLength > chunk.length) continue;
      const patternStart = entries[e]!;
      let i = 0;
      while (i < patternLength && pool[patternStart + i] === chunk[at + i]) i++;
      if (i !== patternLength) continue;
      // The longest comes first; a shorter one that also matches here may take in the character before.
      if (longest === -1) {
        longest = patternLength;
        tag = entries[e + 2]!;
      } else tag |= entries[e + 2]! & edgeBefore;
    }
    if (longest !== -1) found.add(chunkPosition + at, chunkPosition + at + longest, tag);
  }

  /** Scratch for {@link compareList}: each window's first and last entry + 1. */
  private batchFrom = new Int32Array(64);
  private batchTo = new Int32Array(64);
  /** A byte of each listed window's first pattern, read ahead; kept so that the reads are not optimised away. @internal */
  touched = 0;

  /**
   * Compares the `count` windows listed at `words[list ..]`, in order. The
   * tables are read in passes over all of them (every window's bucket, then
   * the first byte of each one's first pattern, then the comparisons) rather
   * than window by window: at 1,000 secrets each of those reads is likely a
   * cache miss, and reads for different windows do not wait for each other.
   */
  private compareList(
    chunk: Uint8Array,
    words: Int32Array,
    list: number,
    count: number,
    chunkPosition: number,
    found: MatchList,
  ): void {
    if (this.batchFrom.length < count) {
      this.batchFrom = new Int32Array(count);
      this.batchTo = new Int32Array(count);
    }
    const { batchFrom, batchTo, bucketStart, entries, bucketShift } = this;
    const pool = this.set.pool;
    const offset = this.window - this.block;
    for (let k = 0; k < count; k++) {
      const bucket = this.hashAt(chunk, words[list + k]! + offset) >>> bucketShift;
      batchFrom[k] = bucketStart[bucket]!;
      batchTo[k] = bucketStart[bucket + 1]!;
    }
    let touched = 0;
    for (let k = 0; k < count; k++) {
      if (batchFrom[k]! < batchTo[k]!) touched ^= pool[entries[3 * batchFrom[k]!]!]!;
    }
    this.touched = touched;
    for (let k = 0; k < count; k++) {
      this.compareEntries(
        chunk,
        words[list + k]!,
        batchFrom[k]!,
        batchTo[k]!,
        chunkPosition,
        found,
      );
    }
  }
}
