import { describe, expect, it } from 'vitest';
import { MatchList } from './match-list.js';

function listOf(matches: [start: number, end: number, kind: number][]): MatchList {
  const list = new MatchList();
  for (const [start, end, kind] of matches) list.add(start, end, kind);
  return list;
}

function entries(list: MatchList): [number, number, number][] {
  return Array.from({ length: list.count }, (_, k) => [
    list.starts[k]!,
    list.ends[k]!,
    list.kinds[k]!,
  ]);
}

describe('MatchList', () => {
  it('merges by end again and again without mixing in an earlier merge', () => {
    const list = new MatchList();
    for (let round = 0; round < 3; round++) {
      const base = 1000 * round;
      list.clear();
      list.add(base + 0, base + 10, 1);
      list.add(base + 5, base + 30, 2);
      const other = listOf([
        [base + 2, base + 20, 3],
        [base + 25, base + 40, 4],
      ]);
      list.mergeByEnd(other);
      expect(entries(list)).toEqual([
        [base + 0, base + 10, 1],
        [base + 2, base + 20, 3],
        [base + 5, base + 30, 2],
        [base + 25, base + 40, 4],
      ]);
    }
  });

  it('merges a list longer than its first capacity', () => {
    const list = listOf(
      Array.from({ length: 100 }, (_, k) => [k, 2 * k + 1, 1] as [number, number, number]),
    );
    list.mergeByEnd(
      listOf(Array.from({ length: 100 }, (_, k) => [k, 2 * k + 2, 2] as [number, number, number])),
    );
    expect(list.count).toBe(200);
    expect(entries(list).map(([, end]) => end)).toEqual(
      Array.from({ length: 200 }, (_, k) => k + 1),
    );
  });

  it('appends short and long lists alike', () => {
    for (const length of [1, 32, 33, 200]) {
      const list = listOf([[0, 1, 5]]);
      const other = listOf(
        Array.from({ length }, (_, k) => [k, k + 7, k % 7] as [number, number, number]),
      );
      list.append(other);
      expect(entries(list)).toEqual([[0, 1, 5], ...entries(other)]);
    }
  });
});
