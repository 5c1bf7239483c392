import { describe, expect, it } from 'vitest';
import { colorEnabled, createStyle, printable } from './terminal-style.js';

describe('colorEnabled', () => {
  it('colours only a terminal, and never with NO_COLOR or TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, { FORCE_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: 'false' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('styles are plain text when colour is off', () => {
    expect(createStyle({ isTTY: false }, {}).red('x')).toBe('x');
    expect(createStyle({ isTTY: true }, {}).red('x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('printable', () => {
  it('shows escape sequences, carriage returns and bidi overrides as escapes', () => {
    expect(printable('a\x1b[2Kb\rc\u202Ed\x9b')).toBe('a\\u001b[2Kb\\u000dc\\u202ed\\u009b');
    expect(printable('plain text / ü')).toBe('plain text / ü');
  });
});
