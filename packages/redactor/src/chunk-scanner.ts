import type { MatchList } from './match-list.js';
import type { WasmScan } from './wasm-scan.js';

/**
 * Finds the pattern occurrences that lie entirely inside one chunk. For each
 * occurrence found it adds its absolute start, end and kind index to `found`,
 * in order of start or in order of end; it may report only the longest of the
 * occurrences that share a start or an end.
 */
export interface ChunkScanner {
  /**
   * Returns how many windows a skipping scanner found with a shift of 0 (0
   * for others). `loaded` is the WebAssembly scanner holding a copy of `chunk`,
   * when there is one; a scanner may use it or not.
   */
  scan(chunk: Uint8Array, chunkPosition: number, found: MatchList, loaded?: WasmScan): number;
}
