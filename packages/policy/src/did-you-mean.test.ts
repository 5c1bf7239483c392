import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('no_netwrok', 'no_network')).toBe(1);
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('didYouMean', () => {
  const keys = ['id', 'argv', 'env', 'ttl', 'no_network', 'cwd', 'max_output'];

  it('suggests the closest key for a typo', () => {
    expect(didYouMean('no_netwrok', keys)).toBe('no_network');
    expect(didYouMean('agrv', keys)).toBe('argv');
    expect(didYouMean('max_ouptut', keys)).toBe('max_output');
  });

  it('suggests a key written in another case', () => {
    expect(didYouMean('TTL', keys)).toBe('ttl');
  });

  it('suggests nothing for a word far from every key', () => {
    expect(didYouMean('network', keys)).toBeUndefined();
    expect(didYouMean('timeout', keys)).toBeUndefined();
    expect(didYouMean('x'.repeat(1000), keys)).toBeUndefined();
  });
});
