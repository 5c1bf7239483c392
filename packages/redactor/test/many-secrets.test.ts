import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/create-redactor.js';
import { buildPatternSet } from '../src/pattern-set.js';
import { variantKinds } from '../src/variant-kind.js';
import { cutAt, referencePatterns, referenceRedact, streamThrough } from './reference-redact.js';

/** A small seeded generator, so a failure can be replayed. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return (limit: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

describe('createRedactor with 1,000 secrets', () => {
  it('redacts every secret and form in any chunking, as the brute-force reference does', () => {
    const random = seeded(7);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=-_.';
    const secrets = Array.from({ length: 1000 }, (_, i) => {
      const length = i % 50 === 0 ? 6 + random(6) : 20 + random(30); // a few short ones too
      return Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    });
    const set = buildPatternSet(
      secrets.map((secret, index) => ({ index, bytes: Buffer.from(secret) })),
      new Set(variantKinds),
      6,
    );
    const patterns = Array.from({ length: set.count }, (_, p) =>
      set.pool.subarray(set.starts[p]!, set.starts[p]! + set.lengths[p]!),
    );
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      parts.push(`line ${i} status=ok took ${random(1000)}ms `);
      if (i % 4 === 0)
        parts.push(Buffer.from(patterns[random(patterns.length)]!).toString('latin1'));
      if (i % 9 === 0) parts.push(secrets[random(secrets.length)]!.slice(0, 12)); // near misses
      parts.push('\n');
    }
    const input = new Uint8Array(Buffer.from(parts.join(''), 'latin1'));
    const redactor = createRedactor({ secrets });
    const expected = referenceRedact(
      input,
      referencePatterns(set),
      new TextEncoder().encode('[REDACTED]'),
    );
    expect(redactor.redact(input)).toEqual(expected);
    const head = input.subarray(0, 8000);
    const oneByte = Array.from(head, (_, i) => head.subarray(i, i + 1));
    expect(streamThrough(redactor.createStream(), oneByte)).toEqual(redactor.redact(head));
    for (const size of [13, 700, 65536]) {
      const offsets = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => i * size);
      expect(streamThrough(redactor.createStream(), cutAt(input, offsets))).toEqual(expected);
    }
    const output = Buffer.from(expected);
    expect(patterns.some((pattern) => output.includes(Buffer.from(pattern)))).toBe(false);
  });
});
