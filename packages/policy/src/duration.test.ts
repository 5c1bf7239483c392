import { describe, expect, it } from 'vitest';
import { maxDurationMs, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['24h', maxDurationMs],
    ['1ms', 1],
  ])('reads %s as %i milliseconds', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['30', '30 s', '1.5s', '-1s', '5d', '5M', 's', '', '1m30s', ' 30s'])(
    'refuses the malformed duration %j',
    (text) => {
      const result = parseDuration(text);
      expect(result.ok).toBe(false);
    },
  );

  it('refuses zero', () => {
    expect(parseDuration('0s')).toEqual({ ok: false, reason: 'must be longer than 0' });
  });

  it('refuses more than 24 hours', () => {
    expect(parseDuration('25h')).toEqual({ ok: false, reason: 'must be at most 24h' });
    expect(parseDuration('86400001ms')).toEqual({ ok: false, reason: 'must be at most 24h' });
  });
});
