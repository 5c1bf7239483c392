/**
 * Finds the pattern occurrences that lie entirely inside one chunk. For each
 * occurrence found it appends its absolute start, end and kind index; it may
 * report only the longest of the occurrences that share a start or an end.
 */
export interface ChunkScanner {
  scan(chunk: Uint8Array, chunkPosition: number, found: FoundMatches): void;
}

/** Matches found in one chunk, as parallel lists. */
export interface FoundMatches {
  starts: number[];
  ends: number[];
  kinds: number[];
}
