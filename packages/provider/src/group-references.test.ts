import { describe, expect, it } from 'vitest';
import { groupReferences } from './group-references.js';

const parsed = [
  { ref: 'v://a/x', folder: 'a', name: 'x' },
  { ref: 'v://b/y', folder: 'b', name: 'y' },
  { ref: 'v://a/z', folder: 'a', name: 'z' },
  { ref: 'v://a/x', folder: 'a', name: 'x' },
];

describe('groupReferences', () => {
  it('groups by key in order of first appearance, with distinct refs and every member', () => {
    const groups = groupReferences(parsed, (reference) => reference.folder);
    expect(groups.map((group) => group.key)).toEqual(['a', 'b']);
    expect(groups[0]?.refs).toEqual(['v://a/x', 'v://a/z']);
    expect(groups[0]?.members.map((member) => member.name)).toEqual(['x', 'z', 'x']);
    expect(groups[1]).toEqual({ key: 'b', members: [parsed[1]], refs: ['v://b/y'] });
  });

  it('returns no group for no references', () => {
    expect(groupReferences([], () => 'k')).toEqual([]);
  });
});
