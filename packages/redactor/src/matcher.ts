import { Automaton } from './automaton.js';
import type { ChunkScanner } from './chunk-scanner.js';
import { type PatternSet, selectPatterns } from './pattern-set.js';
import { SkipSearch } from './skip-search.js';

/**
 * Patterns at least this long form their own group for the skipping search, so
 * a few short secrets do not shorten the skip over all the others.
 */
const longPattern = 16;
/** A group whose shortest pattern is shorter than this is scanned byte by byte. */
const minSkipWindow = 6;

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
}

/** Builds the matchers for a pattern set. */
export function buildMatcher(set: PatternSet): Matcher {
  const automaton = new Automaton(set);
  const groups = [
    selectPatterns(set, (p) => set.lengths[p]! < longPattern),
    selectPatterns(set, (p) => set.lengths[p]! >= longPattern),
  ].filter((group) => group.count > 0);
  const scanners = groups.map((group) =>
    group.minLength >= minSkipWindow ? new SkipSearch(group) : new Automaton(group),
  );
  return {
    automaton,
    scanners,
    maxLength: set.maxLength,
    skipThreshold: Math.max(256, 2 * set.maxLength),
  };
}
