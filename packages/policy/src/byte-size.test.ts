import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it.each([
    [16384, 16384],
    ['16KiB', 16384],
    ['16 KiB', 16384],
    ['1MiB', 1048576],
    ['512B', 512],
    ['8MiB', 8 * 1048576],
  ] as const)('reads %j as %i bytes', (value, bytes) => {
    expect(parseByteSize(value)).toEqual({ ok: true, bytes });
  });

  it('refuses decimal units as ambiguous, with a hint', () => {
    expect(parseByteSize('16KB')).toEqual({
      ok: false,
      reason: 'use binary units: B, KiB or MiB (e.g. 16KiB)',
    });
    expect(parseByteSize('1mb')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('KiB'),
    });
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, -1])('refuses the number %s', (value) => {
    expect(parseByteSize(value).ok).toBe(false);
  });

  it('refuses sizes below 256 bytes and above 8 MiB', () => {
    expect(parseByteSize(255)).toEqual({ ok: false, reason: 'must be at least 256 bytes' });
    expect(parseByteSize('9MiB')).toEqual({ ok: false, reason: 'must be at most 8MiB' });
  });
});
