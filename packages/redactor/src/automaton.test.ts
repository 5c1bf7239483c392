import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Automaton } from './automaton.js';
import { MatchList } from './match-list.js';
import { buildPatternSet } from './pattern-set.js';

const smallBytes = (max: number) =>
  fc.uint8Array({ minLength: 1, maxLength: max }).map((a) => a.map((b) => 97 + (b % 3)));

function setOf(patterns: Uint8Array[]) {
  return buildPatternSet(
    patterns.map((bytes, index) => ({ index, bytes })),
    new Set(['raw']),
    1,
  );
}

/** Longest pattern that ends at each position, by brute force. */
function longestEndingAt(text: Uint8Array, patterns: Uint8Array[]): number[] {
  return Array.from(text, (_, i) => {
    let best = 0;
    for (const p of patterns) {
      const start = i + 1 - p.length;
      if (start >= 0 && p.every((byte, k) => text[start + k] === byte))
        best = Math.max(best, p.length);
    }
    return best;
  });
}

describe('Automaton', () => {
  it('reports the longest pattern ending at each byte, with or without dense rows', () => {
    fc.assert(
      fc.property(
        fc.array(smallBytes(6), { minLength: 1, maxLength: 8 }),
        smallBytes(200),
        (patterns, text) => {
          const expected = longestEndingAt(text, patterns);
          for (const budget of [1024, 8 * 1024 * 1024]) {
            const automaton = new Automaton(setOf(patterns), budget);
            let state = 0;
            const seen = Array.from(text, (byte) => {
              state = automaton.next(state, byte);
              return automaton.matchLength[state];
            });
            expect(seen).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds back the longest suffix that is a proper prefix of a pattern', () => {
    const automaton = new Automaton(setOf([Buffer.from('abcd'), Buffer.from('bcx')]));
    const run = (text: string) =>
      automaton.holdDepth[automaton.run(Buffer.from(text), 0, text.length)];
    expect(run('zzabc')).toBe(3); // 'abc' may become abcd
    expect(run('zzabcd')).toBe(0); // complete, and no pattern goes on from here
    expect(run('zzbc')).toBe(2); // 'bc' may become bcx
    expect(run('zzab')).toBe(2);
    expect(run('zzq')).toBe(0);
  });

  it('scans a chunk from its start, reporting only matches inside it', () => {
    const automaton = new Automaton(setOf([Buffer.from('abc'), Buffer.from('bc')]));
    const found = new MatchList();
    automaton.scan(Buffer.from('bcxabc'), 100, found);
    expect([...found.starts.subarray(0, found.count)]).toEqual([100, 103]);
    expect([...found.ends.subarray(0, found.count)]).toEqual([102, 106]);
  });
});
