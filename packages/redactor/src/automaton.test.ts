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
              return automaton.matchLength(state);
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
      automaton.holdDepth(automaton.run(Buffer.from(text), 0, text.length));
    expect(run('zzabc')).toBe(3); // 'abc' may become abcd
    expect(run('zzabcd')).toBe(0); // complete, and no pattern goes on from here
    expect(run('zzbc')).toBe(2); // 'bc' may become bcx
    expect(run('zzab')).toBe(2);
    expect(run('zzq')).toBe(0);
  });

  it('run() gives the state of stepping every byte from the root, also when it starts after a byte in no pattern', () => {
    // Bytes a, b, c are in patterns; d (100) is in none, and a, b only inside some (not first).
    const texts = fc
      .uint8Array({ minLength: 0, maxLength: 120 })
      .map((a) => a.map((byte) => 97 + (byte % 4)));
    fc.assert(
      fc.property(
        fc.array(smallBytes(6), { minLength: 1, maxLength: 8 }),
        texts,
        fc.nat(),
        (patterns, text, cut) => {
          const automaton = new Automaton(setOf(patterns), 1024);
          const from = text.length === 0 ? 0 : cut % text.length;
          let state = 0;
          for (let i = from; i < text.length; i++) state = automaton.next(state, text[i]!);
          expect(automaton.run(text, from, text.length)).toBe(state);
        },
      ),
    );
  });

  it('scans a chunk from its start, reporting only matches inside it', () => {
    const automaton = new Automaton(setOf([Buffer.from('abc'), Buffer.from('bc')]));
    const found = new MatchList();
    automaton.scan(Buffer.from('bcxabc'), 100, found);
    expect([...found.starts.subarray(0, found.count)]).toEqual([100, 103]);
    expect([...found.ends.subarray(0, found.count)]).toEqual([102, 106]);
  });

  it('tracks the wrapped subset: its longest match and what it must hold back, at each byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(smallBytes(6), fc.boolean()), { minLength: 1, maxLength: 8 }),
        smallBytes(200),
        (entries, text) => {
          const set = setOf(entries.map(([bytes]) => bytes));
          // Patterns are deduplicated in order: a pattern is in the subset if any entry says so.
          const inSubset = (p: number) => {
            const bytes = set.pool.subarray(set.starts[p]!, set.starts[p]! + set.lengths[p]!);
            return entries.some(([e, on]) => on && Buffer.from(e).equals(bytes));
          };
          const subset = entries.filter(([, on]) => on).map(([bytes]) => bytes);
          const expected = longestEndingAt(text, subset);
          const automaton = new Automaton(set, 1024, inSubset);
          let state = 0;
          const seen: number[] = [];
          const held: number[] = [];
          const expectedHeld: number[] = [];
          text.forEach((byte, i) => {
            state = automaton.next(state, byte);
            seen.push(automaton.wrappedLength(state));
            held.push(automaton.wrappedHoldDepth(state));
            let hold = 0;
            for (let length = i + 1; length > 0 && hold === 0; length--) {
              const suffix = text.subarray(i + 1 - length, i + 1);
              if (subset.some((p) => p.length > length && suffix.every((b, k) => p[k] === b))) {
                hold = length;
              }
            }
            expectedHeld.push(hold);
          });
          expect(seen).toEqual(expected);
          expect(held).toEqual(expectedHeld);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps states in 16 bits, about 10 bytes each, and full rows for the root and the states one byte deep only', () => {
    const patterns = Array.from({ length: 40 }, (_, k) =>
      Buffer.from(`secret-${k}-${'x'.repeat(k)}-${(k * 7919).toString(36)}`),
    );
    const automaton = new Automaton(setOf(patterns));
    expect(automaton.fail).toBeInstanceOf(Uint16Array);
    expect(automaton.depth).toBeInstanceOf(Uint16Array);
    // Every pattern starts with 's': the root and one state one byte deep.
    expect(automaton.denseCount).toBe(2);
    // The dense rows and the 256-entry table of bytes in no pattern do not grow with the states.
    const fixed = automaton.dense.byteLength + automaton.outside.byteLength;
    const perState = (automaton.byteLength - fixed) / automaton.stateCount;
    expect(perState).toBeLessThan(10.1);
  });

  it('switches to 32-bit states past 65,536 states', () => {
    const long = Uint8Array.from({ length: 70_000 }, (_, i) => 97 + (i % 26));
    const automaton = new Automaton(setOf([long]));
    expect(automaton.stateCount).toBe(70_001);
    expect(automaton.fail).toBeInstanceOf(Int32Array);
    expect(automaton.depth).toBeInstanceOf(Int32Array);
    let state = 0;
    for (const byte of long) state = automaton.next(state, byte);
    expect(automaton.matchLength(state)).toBe(70_000);
  });
});
