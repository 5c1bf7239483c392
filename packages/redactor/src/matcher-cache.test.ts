import { describe, expect, it } from 'vitest';
import { createRedactor, matcherCache } from './create-redactor.js';
import { MatcherCache } from './matcher-cache.js';
import { secretVariants } from './secret-variants.js';

const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const other = 'ghp_9fKq2LmZx7RtY4vB8nW1sD3pQ6aJ0hUe';
const base64 = Buffer.from(secret).toString('base64');
const input = `raw ${secret} b64 ${base64} other ${other}`;

/** A cache whose compiled state is a counter, to see when it compiles. */
function countingCache() {
  const cache = new MatcherCache();
  let compiles = 0;
  const get = (secrets: string[], minLength = 6, enabled = ['raw']) =>
    cache.get(
      {
        secrets: secrets.map((s, index) => ({ index, bytes: Buffer.from(s) })),
        enabled: new Set(enabled as never[]),
        minLength,
        engine: 'auto',
      },
      () => {
        compiles++;
        return { compiles } as never;
      },
    );
  return { get, compiles: () => compiles, cache };
}

describe('MatcherCache', () => {
  it('compiles a secret set once while a redactor built for it is alive', () => {
    const { get, compiles } = countingCache();
    const first = get([secret, other]);
    const second = get([secret, other]);
    expect(second).toBe(first);
    expect(compiles()).toBe(1);
  });

  it('compiles again for other secrets, another order, another minLength or other variants', () => {
    const { get, compiles } = countingCache();
    const kept = [
      get([secret]),
      get([secret, other]),
      get([other, secret]),
      get([secret], 7),
      get([secret], 6, ['raw', 'base64']),
      get([`${secret}x`]),
    ];
    expect(new Set(kept).size).toBe(6);
    expect(compiles()).toBe(6);
  });

  it('keys entries with no secret and no form of one in them', () => {
    const { get, cache } = countingCache();
    get([secret]);
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    for (const form of [...secretVariants(secret), Buffer.from(secret).toString('hex')]) {
      for (const key of keys) {
        expect(key.includes(form)).toBe(false);
        expect(Buffer.from(key, 'base64').includes(Buffer.from(form))).toBe(false);
      }
    }
  });
});

describe('createRedactor (shared compiled state)', () => {
  it('shares the matcher between redactors for the same secrets, and not their stats', () => {
    const a = createRedactor({ secrets: [secret] });
    const b = createRedactor({ secrets: [secret] });
    const before = matcherCache.size;
    createRedactor({ secrets: [secret] });
    expect(matcherCache.size).toBe(before);
    expect(a.redact(input)).toBe(`raw [REDACTED] b64 [REDACTED] other ${other}`);
    expect(a.stats.total).toBe(2);
    expect(b.stats.total).toBe(0);
  });

  it('does not reuse a redactor built with fewer variants for the same secret', () => {
    // A cache keyed by the secrets alone would hand the raw-only matcher to the second
    // redactor, and the base64 form would pass.
    const rawOnly = createRedactor({ secrets: [secret], variants: 'raw' });
    const all = createRedactor({ secrets: [secret] });
    expect(rawOnly.redact(input)).toBe(`raw [REDACTED] b64 ${base64} other ${other}`);
    expect(all.redact(input)).toBe(`raw [REDACTED] b64 [REDACTED] other ${other}`);
  });

  it('does not reuse a redactor built for a subset of the secrets', () => {
    const one = createRedactor({ secrets: [secret] });
    const both = createRedactor({ secrets: [secret, other] });
    expect(one.redact(input)).toContain(other);
    expect(both.redact(input)).toBe('raw [REDACTED] b64 [REDACTED] other [REDACTED]');
  });

  it('checks the replacement of each redactor, even when the matcher is shared', () => {
    createRedactor({ secrets: [secret] });
    expect(() => createRedactor({ secrets: [secret], replacement: `<${secret}>` })).toThrow(
      expect.objectContaining({ code: 'REPLACEMENT_CONTAINS_SECRET' }),
    );
  });

  it('keeps its own copy of secret bytes the caller changes later', () => {
    const bytes = Buffer.from(secret);
    const first = createRedactor({ secrets: [bytes], variants: 'raw' });
    bytes.fill(0x41);
    const second = createRedactor({ secrets: [bytes], variants: 'raw' });
    expect(first.redact(`${secret} ${bytes}`)).toBe(`[REDACTED] ${bytes}`);
    expect(second.redact(`${secret} ${bytes}`)).toBe(`${secret} [REDACTED]`);
  });
});
