import { scanWasmBase64 } from './scan-wasm.js';

/** Which code finds the candidates in large chunks: WebAssembly when it can, else TypeScript. */
export type ScanEngine = 'auto' | 'js' | 'wasm';

/**
 * The skip tables of one skipping search. {@link WasmScan} moves them into its
 * memory and points these at its copy, so only one copy exists.
 */
export interface SkipTables {
  /**
   * Presence bitset over the block hash: two bits of word `h >>> 5` per block,
   * bit `h & 31` and the one picked by the 5 hash bits below `h`.
   */
  present: Int32Array;
  /** Shift for each hash slot (`h >>> tableShift`). */
  shift: Uint8Array;
  /**
   * Verify bitset over the hash of each pattern's first 4 bytes and the 4 bytes
   * that end its first window: a window whose shift is 0 is compared only if
   * its own hash is in it.
   */
  verify: Int32Array;
}

/** Whether typed arrays are little-endian here, as WebAssembly memory is: then JS can read the module's tables in place. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What a skipping search passes to {@link WasmScan.skip}: its two ranges of window starts and its constants. */
type SkipArguments = [
  a: number,
  aEnd: number,
  b: number,
  bEnd: number,
  lastOffset: number,
  maxShift: number,
  bitsShift: number,
  tableShift: number,
  wordOffset: number,
  verifyShift: number,
];

/** The module's `skip` and `skip8`: the arguments, then where the tables, the text and the lists are. */
type SkipCall = [
  ...SkipArguments,
  bitset: number,
  shifts: number,
  verify: number,
  chunk: number,
  outA: number,
  outB: number,
  cap: number,
];

interface ScanExports {
  readonly memory: WebAssembly.Memory;
  readonly resumeA: WebAssembly.Global;
  readonly resumeB: WebAssembly.Global;
  readonly countA: WebAssembly.Global;
  readonly countB: WebAssembly.Global;
  readonly zeroes: WebAssembly.Global;
  readonly resume: WebAssembly.Global;
  readonly segments: WebAssembly.Global;
  readonly hexFrom: WebAssembly.Global;
  readonly hexTo: WebAssembly.Global;
  skip(...args: SkipCall): void;
  /** {@link skip} with 8-byte blocks. */
  skip8(...args: SkipCall): void;
  breaks(
    from: number,
    length: number,
    chunk: number,
    classes: number,
    out: number,
    cap: number,
  ): number;
  compact(
    from: number,
    length: number,
    chunk: number,
    classes: number,
    out: number,
    starts: number,
    raws: number,
  ): number;
}

/** Entries in each candidate list; a full list makes the module return and be called again. */
const listCapacity = 8192;
/** Entries in each list of the search over a wrapped run's scratch (lists C and D). */
const scratchListCapacity = 2048;
/** Largest chunk copied into the module's memory; a stream reads larger chunks in slices. */
const maxChunk = 1024 * 1024;
const pageSize = 65536;
/** 'A', kept just before the chunk and written just after it: `breaks` reads one byte past either end. */
const sentinel = 0x41;

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled module, or `undefined` where WebAssembly (with 128-bit SIMD) is
 * not available or not allowed, e.g. under a Content-Security-Policy without
 * `wasm-unsafe-eval`. Compiled once per process; it is about 3.5 KB.
 */
function scanModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    compiled = null;
    try {
      if (typeof WebAssembly === 'object' && typeof atob === 'function') {
        const bytes = Uint8Array.from(atob(scanWasmBase64), (char) => char.charCodeAt(0));
        if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
      }
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** Whether this runtime can run the WebAssembly scanner. */
export function wasmAvailable(): boolean {
  return scanModule() !== undefined;
}

const align = (offset: number, to: number) => Math.ceil(offset / to) * to;

/**
 * The WebAssembly side of one matcher, shared by all its streams (a push runs
 * start to end without yielding, so one chunk at a time is in its memory). The
 * memory holds, in order: each skipping search's bitset, shift table and verify bitset, the
 * class of each byte value for the wrapped search, two candidate lists and the
 * chunk being read.
 *
 * It only proposes candidates: window starts whose last block some pattern
 * has at that distance and whose first and last 4 bytes pass the verify
 * bitset (the TypeScript compares them), and line breaks with no
 * breaker on either side (the TypeScript looks closer). Its memory is written
 * little-endian whatever the platform, as WebAssembly reads it.
 */
export class WasmScan {
  readonly maxChunk = maxChunk;
  private readonly exports: ScanExports;
  private bytes: Uint8Array;
  /** The memory as 32-bit words, to read the candidate lists. */
  words: Int32Array;
  private readonly bitsetOffsets: number[] = [];
  private readonly shiftOffsets: number[] = [];
  private readonly verifyOffsets: number[] = [];
  /** Lengths of each bitset and shift table (a view of a memory that grew reads as empty). */
  private readonly bitsetLengths: number[] = [];
  private readonly shiftLengths: number[] = [];
  private readonly verifyLengths: number[] = [];
  /** The tables moved into the memory, whose views are renewed when it grows. */
  private readonly shared: readonly SkipTables[];
  /** Set once the tables are in the memory. */
  private moved = false;
  private readonly classOffset: number;
  /** Word index of candidate list A (also used for line breaks) and list B. */
  readonly listA: number;
  readonly listB: number;
  /**
   * Word index of lists C and D: the candidates of the skipping search over a
   * wrapped run's scratch, which runs while list A (the line breaks) and list
   * B (the run's breaks) are still being read.
   */
  readonly listC: number;
  readonly listD: number;
  private readonly chunkOffset: number;
  /** Length of the chunk loaded. */
  private length = 0;
  /** Bytes of the chunk area written since the last {@link scrub}. */
  private dirty = 0;

  /** Builds the module's memory, or returns `undefined` when WebAssembly is unavailable. */
  static create(tables: readonly SkipTables[], byteClass: Uint8Array | undefined) {
    const module = scanModule();
    if (module === undefined) return undefined;
    try {
      const instance = new WebAssembly.Instance(module, {});
      return new WasmScan(instance.exports as unknown as ScanExports, tables, byteClass);
    } catch {
      return undefined;
    }
  }

  private constructor(
    exports: ScanExports,
    tables: readonly SkipTables[],
    byteClass: Uint8Array | undefined,
  ) {
    this.exports = exports;
    this.shared = littleEndian ? tables : [];
    let offset = 16;
    for (const table of tables) {
      offset = align(offset, 8);
      this.bitsetOffsets.push(offset);
      this.bitsetLengths.push(table.present.length);
      offset += table.present.byteLength;
      this.shiftOffsets.push(offset);
      this.shiftLengths.push(table.shift.length);
      offset += table.shift.byteLength;
      offset = align(offset, 8);
      this.verifyOffsets.push(offset);
      this.verifyLengths.push(table.verify.length);
      offset += table.verify.byteLength;
    }
    offset = align(offset, 8);
    this.classOffset = offset;
    offset += 256;
    this.listA = offset / 4;
    offset += 4 * listCapacity;
    this.listB = offset / 4;
    offset += 4 * listCapacity;
    this.listC = offset / 4;
    offset += 4 * scratchListCapacity;
    this.listD = offset / 4;
    offset += 4 * scratchListCapacity;
    // One spare byte before the chunk holds a byte of the alphabets (see `breaks` in scan.wat).
    this.chunkOffset = align(offset + 1, 64);
    this.ensure(64 * 1024);
    this.bytes = new Uint8Array(exports.memory.buffer);
    this.words = new Int32Array(exports.memory.buffer);
    this.bytes[this.chunkOffset - 1] = sentinel;
    const view = new DataView(exports.memory.buffer);
    tables.forEach((table, t) => {
      const bitset = this.bitsetOffsets[t]!;
      for (let i = 0; i < table.present.length; i++) {
        view.setInt32(bitset + 4 * i, table.present[i]!, true);
      }
      const verify = this.verifyOffsets[t]!;
      for (let i = 0; i < table.verify.length; i++) {
        view.setInt32(verify + 4 * i, table.verify[i]!, true);
      }
      this.bytes.set(table.shift, this.shiftOffsets[t]!);
    });
    if (byteClass !== undefined) this.bytes.set(byteClass, this.classOffset);
    this.moved = true;
    this.pointTables();
  }

  /** Points the shared tables at their copy in the memory (again after it grows: its buffer changes). */
  private pointTables(): void {
    const buffer = this.exports.memory.buffer;
    this.shared.forEach((table, t) => {
      table.present = new Int32Array(buffer, this.bitsetOffsets[t]!, this.bitsetLengths[t]!);
      table.shift = new Uint8Array(buffer, this.shiftOffsets[t]!, this.shiftLengths[t]!);
      table.verify = new Int32Array(buffer, this.verifyOffsets[t]!, this.verifyLengths[t]!);
    });
  }

  /** The module's memory; the tests look into it. @internal */
  get memory(): WebAssembly.Memory {
    return this.exports.memory;
  }

  /** Grows the memory to hold a chunk of `length` bytes (and a little slack read past its end). */
  private ensure(length: number): void {
    const memory = this.exports.memory;
    const needed = this.chunkOffset + length + 64;
    if (needed > memory.buffer.byteLength) {
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / pageSize));
      this.bytes = new Uint8Array(memory.buffer);
      this.words = new Int32Array(memory.buffer);
      if (this.moved) this.pointTables();
    }
  }

  /**
   * Copies a chunk of at most {@link maxChunk} bytes into the module's memory.
   * Returns `undefined` when the memory cannot grow to hold it (the process is
   * short of memory or address space): the stream then reads that chunk with
   * the TypeScript engine.
   */
  load(chunk: Uint8Array): this | undefined {
    try {
      this.ensure(chunk.length);
    } catch {
      return undefined;
    }
    this.bytes.set(chunk, this.chunkOffset);
    this.bytes[this.chunkOffset + chunk.length] = sentinel;
    this.length = chunk.length;
    this.dirty = Math.max(this.dirty, chunk.length);
    this.scratchOffset = align(this.chunkOffset + chunk.length + 64, 64);
    return this;
  }

  /** Where the scratch space for a run's characters starts: after the loaded chunk. */
  private scratchOffset = 0;
  /** Word indexes of {@link compact}'s two lists of stretches (after the scratch). */
  runStarts = 0;
  runRaws = 0;

  /**
   * Makes room after the loaded chunk for {@link compact} over a run of at
   * most `length` bytes: its copy and its lists of stretches. False when the
   * memory cannot grow: the caller then copies the run itself.
   */
  reserveRun(length: number): boolean {
    const entries = (length >> 1) + 2;
    const starts = align(this.scratchOffset + length + 16, 8);
    const end = starts + 8 * entries;
    try {
      this.ensure(end - this.chunkOffset);
    } catch {
      return false;
    }
    this.runStarts = starts / 4;
    this.runRaws = starts / 4 + entries;
    // The copy is output; the lists hold only offsets.
    this.dirty = Math.max(this.dirty, this.scratchOffset + length + 16 - this.chunkOffset);
    return true;
  }

  /**
   * Copies the run of encoded characters and line breaks at offset `from` of
   * the loaded chunk to the scratch, without its line breaks (room made by
   * {@link reserveRun}). Returns how many characters; {@link resume} is where
   * the run stopped (the chunk's length, a byte outside the alphabets and the
   * line breaks, or the third line-break byte in a row) and {@link segments}
   * how many stretches it had, listed in {@link words} from {@link runStarts}
   * (their first character in the copy) and {@link runRaws} (their offset in
   * the chunk).
   */
  compact(from: number): number {
    return this.exports.compact(
      from,
      this.length,
      this.chunkOffset,
      this.classOffset,
      this.scratchOffset,
      this.runStarts * 4,
      this.runRaws * 4,
    );
  }

  get segments(): number {
    return this.exports.segments.value as number;
  }

  /**
   * The longest stretch, as chunk offsets `[hexFrom, hexTo)`, of the run
   * {@link compact} copied last with no character other than a hex digit.
   */
  get hexFrom(): number {
    return this.exports.hexFrom.value as number;
  }

  get hexTo(): number {
    return this.exports.hexTo.value as number;
  }

  /** The first `length` bytes of the scratch. */
  scratch(length: number): Uint8Array {
    return this.bytes.subarray(this.scratchOffset, this.scratchOffset + length);
  }

  /** Zeroes the copies of chunks left in the module's memory. */
  scrub(): void {
    if (this.dirty === 0) return;
    this.bytes.fill(0, this.chunkOffset, this.chunkOffset + this.dirty);
    this.dirty = 0;
  }

  /**
   * Runs skipping search `table` (hashing `block`-byte blocks) over window starts `[a, aEnd)` and
   * `[b, bEnd]` of the loaded chunk, or with `inScratch` of the first bytes of the scratch (a run
   * copied by {@link compact}), until both ranges are done or a candidate list is full. Read the
   * candidates from {@link words} at {@link listA} and {@link listB} ({@link listC} and
   * {@link listD} in the scratch), then resume from {@link resumeA} and {@link resumeB}.
   */
  skip(
    inScratch: boolean,
    table: number,
    block: 4 | 8,
    a: number,
    aEnd: number,
    b: number,
    bEnd: number,
    lastOffset: number,
    maxShift: number,
    bitsShift: number,
    tableShift: number,
    wordOffset: number,
    verifyShift: number,
  ): void {
    // The arguments one by one: an array of them was garbage at every call.
    (block === 8 ? this.exports.skip8 : this.exports.skip)(
      a,
      aEnd,
      b,
      bEnd,
      lastOffset,
      maxShift,
      bitsShift,
      tableShift,
      wordOffset,
      verifyShift,
      this.bitsetOffsets[table]!,
      this.shiftOffsets[table]!,
      this.verifyOffsets[table]!,
      inScratch ? this.scratchOffset : this.chunkOffset,
      (inScratch ? this.listC : this.listA) * 4,
      (inScratch ? this.listD : this.listB) * 4,
      inScratch ? scratchListCapacity : listCapacity,
    );
  }

  get countA(): number {
    return this.exports.countA.value as number;
  }

  get countB(): number {
    return this.exports.countB.value as number;
  }

  /** Windows with a shift of 0 that the last {@link skip} found, listed or dropped by the verify bitset. */
  get zeroes(): number {
    return this.exports.zeroes.value as number;
  }

  get resumeA(): number {
    return this.exports.resumeA.value as number;
  }

  get resumeB(): number {
    return this.exports.resumeB.value as number;
  }

  /**
   * Lists, from offset `from` of the loaded chunk, the line breaks that have no
   * byte outside the encoded alphabets right before or after them, into list A.
   * Returns how many (at most about `cap`, which must be at least 64); call
   * again from {@link resume} while it is below the chunk's length.
   */
  breaks(from: number, cap = listCapacity): number {
    return this.exports.breaks(
      from,
      this.length,
      this.chunkOffset,
      this.classOffset,
      this.listA * 4,
      Math.min(Math.max(cap, 64), listCapacity),
    );
  }

  get resume(): number {
    return this.exports.resume.value as number;
  }
}
