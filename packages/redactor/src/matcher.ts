import { Automaton } from './automaton.js';
import type { ChunkScanner } from './chunk-scanner.js';
import { tagKind } from './match-tag.js';
import { type PatternSet, selectPatterns } from './pattern-set.js';
import { SkipSearch } from './skip-search.js';
import { variantKinds } from './variant-kind.js';
import { type ScanEngine, WasmScan } from './wasm-scan.js';
import { isHexOnly, WrappedMatcher } from './wrapped-matcher.js';

/** Kinds whose forms encoders wrap over lines, matched across line breaks too. */
const wrappedKinds = new Set(
  (['hex', 'base64', 'base64url'] as const).map((kind) => variantKinds.indexOf(kind)),
);

/**
 * Patterns at least this long form their own group for the skipping search, so
 * a few short secrets do not shorten the skip over all the others.
 */
const longPattern = 16;
/** A group whose shortest pattern is shorter than this is scanned byte by byte. */
const minSkipWindow = 6;
/**
 * Cap on the main searches' presence bitset: 2^20 bits, 128 KiB (1,000
 * secrets would fill 512 KiB at the usual 32 bits per entry). The main search
 * reads it at every jump over the whole output, alongside the chunk, the
 * shift table and the output being written; a smaller bitset passes more
 * blocks on to the shift table, but stays in cache, and measured faster
 * (1.1-1.2x the matcher's speed at 1,000 secrets). The searches over a
 * wrapped run's copy keep the wider one: there every window is made of
 * encoded characters, and a fuller bitset would pass many more of them.
 */
const mainBitsetBits = 20;

/**
 * Everything built once from the pattern set and shared by every stream: one
 * automaton over all patterns, which gives the exact state at any byte and is
 * used for small chunks and at chunk edges; and for large chunks, scanners
 * that skip: one per length group.
 */
export interface Matcher {
  readonly automaton: Automaton;
  readonly scanners: readonly ChunkScanner[];
  readonly maxLength: number;
  /** Smallest chunk searched with the {@link scanners}. */
  readonly skipThreshold: number;
  /** The search for encoded forms wrapped over lines; none when no such form is looked for. */
  readonly wrapped: WrappedMatcher | undefined;
  /** Most bytes a stream may hold back. */
  readonly holdLimit: number;
  /**
   * The WebAssembly loops that propose candidates in large chunks (the skipping
   * search and the line breaks of the wrapped search); none where WebAssembly
   * is unavailable or the TypeScript engine was asked for.
   */
  readonly wasm: WasmScan | undefined;
  /**
   * Whether the wrapped search over a long hex run's copy stands in for the
   * main skipping search inside that run (see `RedactionSession.scanSkipping`):
   * set when every pattern that could lie inside a run of hex digits and line
   * breaks is found by the run's copy search or by {@link inRun}, and the main
   * search skips.
   */
  readonly standIn: boolean;
  /**
   * With {@link standIn}: a skipping search over the patterns that are not
   * wrapped forms but are made only of hex digits and line breaks (a secret
   * such as `deadbeef01…`), run over the chunk inside long hex runs; none when
   * there are none (the usual case: a secret of random letters and digits is
   * not all hex digits).
   */
  readonly inRun: SkipSearch | undefined;
}

/**
 * Builds the matchers for a pattern set. Both engines find the same matches;
 * `'wasm'` throws where WebAssembly is unavailable, `'auto'` then falls back
 * to TypeScript.
 */
export function buildMatcher(set: PatternSet, engine: ScanEngine = 'auto'): Matcher {
  const isWrapped = (p: number) => wrappedKinds.has(tagKind(set.tags[p]!));
  const automaton = new Automaton(set, undefined, isWrapped);
  const groups = [
    selectPatterns(set, (p) => set.lengths[p]! < longPattern),
    selectPatterns(set, (p) => set.lengths[p]! >= longPattern),
  ].filter((group) => group.count > 0);
  const scanners = groups.map((group) =>
    group.minLength >= minSkipWindow
      ? new SkipSearch(group, 4, mainBitsetBits)
      : new Automaton(group),
  );
  const encoded = selectPatterns(set, isWrapped);
  const wrapped = encoded.count > 0 ? new WrappedMatcher(encoded, automaton) : undefined;
  let wasm: WasmScan | undefined;
  const skipping = scanners.filter(
    (scanner): scanner is SkipSearch => scanner instanceof SkipSearch,
  );
  let standIn = false;
  let inRun: SkipSearch | undefined;
  if (wrapped?.body !== undefined && skipping.length === scanners.length) {
    // The other patterns a run of hex digits and line breaks can hold.
    const runnable = selectPatterns(set, (p) => !isWrapped(p) && isHexOnly(set, p, true));
    standIn = runnable.count === 0 || runnable.minLength >= minSkipWindow;
    if (standIn && runnable.count > 0) inRun = new SkipSearch(runnable);
  }
  // Without a skipping search or a wrapped search, the module would have nothing to do.
  if (engine !== 'js' && (skipping.length > 0 || wrapped !== undefined)) {
    // The searches over a wrapped run keep their tables in the module too (one copy).
    const tables: SkipSearch[] = [...skipping];
    if (wrapped?.body !== undefined) tables.push(wrapped.body);
    if (wrapped?.hexBody !== undefined) tables.push(wrapped.hexBody);
    if (inRun !== undefined) tables.push(inRun);
    wasm = WasmScan.create(tables, wrapped?.byteClass);
    if (wasm === undefined && engine === 'wasm') {
      throw new Error('WebAssembly with 128-bit SIMD is not available in this runtime.');
    }
    tables.forEach((scanner, table) => {
      scanner.wasmTable = wasm === undefined ? -1 : table;
    });
  }
  return {
    automaton,
    scanners,
    maxLength: set.maxLength,
    skipThreshold: Math.max(256, 2 * set.maxLength),
    wrapped,
    // The edge characters of a match and the padding after it: at most 9 bytes past its end.
    holdLimit: Math.max(set.maxLength, wrapped?.holdLimit ?? 0, 16),
    wasm,
    standIn,
    inRun,
  };
}
