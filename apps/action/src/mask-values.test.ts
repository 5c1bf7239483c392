import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskValues, minMaskLength, wellFormed } from './mask-values.js';

const secretArb = fc.string({ minLength: minMaskLength, maxLength: 40, unit: 'binary' });
const bytesArb = fc.uint8Array({ maxLength: 5 });

const covered = (masks: string[], text: string) => masks.some((mask) => text.includes(mask));

describe('maskValues', () => {
  it('masks the raw value', () => {
    expect(maskValues(['s3cr3t-value'])).toContain('s3cr3t-value');
  });

  it('masks the base64 of a secret embedded at any offset of a longer stream', () => {
    fc.assert(
      fc.property(secretArb, bytesArb, bytesArb, (secret, before, after) => {
        const masks = maskValues([secret]);
        const stream = Buffer.concat([before, Buffer.from(secret), after]);
        expect(covered(masks, stream.toString('base64'))).toBe(true);
        expect(covered(masks, stream.toString('base64url'))).toBe(true);
      }),
    );
  });

  it('masks the hex, URL-encoded and JSON-escaped forms', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const masks = maskValues([secret]);
        expect(covered(masks, Buffer.from(secret).toString('hex'))).toBe(true);
        expect(covered(masks, Buffer.from(secret).toString('hex').toUpperCase())).toBe(true);
        expect(covered(masks, encodeURIComponent(wellFormed(secret)))).toBe(true);
        expect(covered(masks, JSON.stringify({ value: secret }))).toBe(true);
      }),
    );
  });

  it('masks each line of a multi-line secret, so a PEM key is masked line by line', () => {
    const pem =
      '-----BEGIN KEY-----\nMIIBVwIBADANBgkqhkiG9w0BAQEFAASCAUEwggE9\r\nAgEAAkEAq7BFUpkGp3+LQmlQ\n-----END KEY-----';
    const masks = maskValues([pem]);
    for (const line of pem.split(/\r?\n/)) expect(masks).toContain(line);
  });

  it('masks a value shorter than the minimum itself, but no encoding shorter than the minimum', () => {
    expect(maskValues(['ab'])).toEqual(['ab']);
  });

  it('never registers a fragment shorter than the minimum, which would blank ordinary words', () => {
    const masks = maskValues(['ab\ncdefgh-long-enough']);
    expect(masks.every((mask) => mask.length >= minMaskLength)).toBe(true);
    expect(masks).not.toContain('ab');
  });

  it('lists each mask once', () => {
    const masks = maskValues(['same-secret-1', 'same-secret-1']);
    expect(new Set(masks).size).toBe(masks.length);
  });
});
