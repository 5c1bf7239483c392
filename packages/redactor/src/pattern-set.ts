import { expandSecret } from './secret-variants.js';
import { type VariantKind, variantKinds } from './variant-kind.js';

/**
 * Every distinct byte sequence the redactor looks for, stored flat: pattern
 * `p` is `pool.subarray(starts[p], starts[p] + lengths[p])`.
 */
export interface PatternSet {
  readonly count: number;
  readonly pool: Uint8Array;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  /**
   * Match tag (see `match-tag.ts`): index into {@link variantKinds} of the form the
   * pattern was first registered as, and the edges any of its registrations has.
   */
  readonly tags: Uint8Array;
  /** Position in the caller's list of the secret the pattern was first registered for. */
  readonly secretIndexes: Int32Array;
  readonly minLength: number;
  readonly maxLength: number;
}

/** A secret as bytes, with its position in the caller's list. */
export interface IndexedSecret {
  index: number;
  bytes: Uint8Array;
}

/** Expands each secret into its variants and keeps one copy of each distinct byte sequence. */
export function buildPatternSet(
  secrets: readonly IndexedSecret[],
  enabled: ReadonlySet<VariantKind>,
  minLength: number,
): PatternSet {
  const seen = new Map<string, number>();
  const patterns: { bytes: Uint8Array; tag: number; secretIndex: number }[] = [];
  let total = 0;
  for (const secret of secrets) {
    for (const variant of expandSecret(secret.bytes, enabled, minLength)) {
      const key = latin1(variant.bytes);
      const known = seen.get(key);
      if (known !== undefined) {
        patterns[known]!.tag |= variant.edges;
        continue;
      }
      seen.set(key, patterns.length);
      patterns.push({
        bytes: variant.bytes,
        tag: variantKinds.indexOf(variant.kind) | variant.edges,
        secretIndex: secret.index,
      });
      total += variant.bytes.length;
    }
  }
  const pool = new Uint8Array(total);
  const starts = new Int32Array(patterns.length);
  const lengths = new Int32Array(patterns.length);
  const tags = new Uint8Array(patterns.length);
  const secretIndexes = new Int32Array(patterns.length);
  let offset = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  patterns.forEach((pattern, p) => {
    pool.set(pattern.bytes, offset);
    starts[p] = offset;
    lengths[p] = pattern.bytes.length;
    tags[p] = pattern.tag;
    secretIndexes[p] = pattern.secretIndex;
    offset += pattern.bytes.length;
    min = Math.min(min, pattern.bytes.length);
    max = Math.max(max, pattern.bytes.length);
  });
  return {
    count: patterns.length,
    pool,
    starts,
    lengths,
    tags,
    secretIndexes,
    minLength: patterns.length === 0 ? 0 : min,
    maxLength: max,
  };
}

/** A subset of a pattern set, for a matcher that handles only some patterns. */
export function selectPatterns(set: PatternSet, keep: (pattern: number) => boolean): PatternSet {
  const chosen: number[] = [];
  for (let p = 0; p < set.count; p++) if (keep(p)) chosen.push(p);
  const lengths = new Int32Array(chosen.map((p) => set.lengths[p]!));
  const starts = new Int32Array(chosen.map((p) => set.starts[p]!));
  return {
    count: chosen.length,
    pool: set.pool,
    starts,
    lengths,
    tags: new Uint8Array(chosen.map((p) => set.tags[p]!)),
    secretIndexes: new Int32Array(chosen.map((p) => set.secretIndexes[p]!)),
    minLength: lengths.reduce((min, length) => Math.min(min, length), lengths[0] ?? 0),
    maxLength: lengths.reduce((max, length) => Math.max(max, length), 0),
  };
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
