import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputWindow } from './output-window.js';
import { truncateMiddle } from './truncate-middle.js';

describe('OutputWindow', () => {
  it('gives the same view as truncateMiddle over the whole stream, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 200 }),
        (chunks, max) => {
          const window = new OutputWindow(max);
          for (const chunk of chunks) window.push(chunk);
          const whole = Buffer.concat(chunks);
          expect(window.totalBytes).toBe(whole.length);
          expect(window.finish()).toEqual(truncateMiddle(whole, max));
        },
      ),
    );
  });

  it('holds at most twice its limit whatever the volume', () => {
    const window = new OutputWindow(64);
    for (let i = 0; i < 10_000; i += 1) window.push(new Uint8Array(1000).fill(97));
    const { text, cutBytes } = window.finish();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64);
    expect(cutBytes).toBeGreaterThan(9_000_000);
  });
});
