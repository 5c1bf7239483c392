/**
 * Today's edges outside the allowed graph, exactly as findViolations writes them. The test
 * fails on a violation not listed here and on an entry that no longer occurs, so this list only
 * shrinks: whoever fixes an edge removes its line.
 */
export const knownViolations: readonly string[] = [];
