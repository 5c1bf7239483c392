import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchList } from './match-list.js';
import { buildPatternSet } from './pattern-set.js';
import { SkipSearch } from './skip-search.js';

describe.each([4, 8] as const)('SkipSearch with %i-byte blocks', (block) => {
  it('finds the longest pattern at every start where one occurs, in order of start', () => {
    // A 3-letter alphabet makes blocks collide and matches overlap, the hard case for skipping.
    const letters = (min: number, max: number) =>
      fc.uint8Array({ minLength: min, maxLength: max }).map((a) => a.map((b) => 97 + (b % 3)));
    fc.assert(
      fc.property(
        fc.array(letters(block, block + 8), { minLength: 1, maxLength: 30 }),
        letters(0, 400),
        (patterns, text) => {
          const set = buildPatternSet(
            patterns.map((bytes, index) => ({ index, bytes })),
            new Set(['raw']),
            1,
          );
          const found = new MatchList();
          new SkipSearch(set, block).scan(text, 10, found);
          const expectedStarts: number[] = [];
          const expectedEnds: number[] = [];
          for (let at = 0; at < text.length; at++) {
            let best = 0;
            for (const p of patterns) {
              if (at + p.length <= text.length && p.every((byte, k) => text[at + k] === byte)) {
                best = Math.max(best, p.length);
              }
            }
            if (best > 0) {
              expectedStarts.push(10 + at);
              expectedEnds.push(10 + at + best);
            }
          }
          expect([...found.starts.subarray(0, found.count)]).toEqual(expectedStarts);
          expect([...found.ends.subarray(0, found.count)]).toEqual(expectedEnds);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses patterns shorter than its block', () => {
    const bytes = Buffer.from('abcdefgh').subarray(0, block - 1);
    const set = buildPatternSet([{ index: 0, bytes }], new Set(['raw']), 1);
    expect(() => new SkipSearch(set, block)).toThrow(RangeError);
  });
});
