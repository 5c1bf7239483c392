import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutMarker, truncateMiddle } from './truncate-middle.js';

const byteLength = (text: string) => Buffer.byteLength(text);

describe('truncateMiddle', () => {
  it('returns text within the limit unchanged', () => {
    expect(truncateMiddle('hello', 5)).toEqual({ text: 'hello', cutBytes: 0 });
  });

  it('keeps the head and the tail around a marker of the bytes cut', () => {
    const input = `HEAD${'x'.repeat(1000)}TAIL`;
    const { text, cutBytes } = truncateMiddle(input, 100);
    expect(text.startsWith('HEAD')).toBe(true);
    expect(text.endsWith('TAIL')).toBe(true);
    expect(text).toContain(cutMarker(cutBytes));
    expect(byteLength(text)).toBeLessThanOrEqual(100);
    expect(byteLength(text) - byteLength(cutMarker(cutBytes)) + cutBytes).toBe(byteLength(input));
  });

  it('never splits a multi-byte character', () => {
    const { text } = truncateMiddle('é'.repeat(500), 101);
    expect(text).not.toContain('\uFFFD');
  });

  it('stays within the limit and accounts for every byte, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 60, max: 300 }),
        (input, max) => {
          const { text, cutBytes } = truncateMiddle(input, max);
          expect(byteLength(text)).toBeLessThanOrEqual(max);
          if (cutBytes === 0) expect(text).toBe(input);
          else
            expect(byteLength(text) - byteLength(cutMarker(cutBytes)) + cutBytes).toBe(
              byteLength(input),
            );
        },
      ),
    );
  });
});
