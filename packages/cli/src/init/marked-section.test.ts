import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  removeMarkedSection,
  sectionEnd,
  sectionStart,
  upsertMarkedSection,
} from './marked-section.js';

describe('upsertMarkedSection', () => {
  it('appends the section after the existing text', () => {
    const next = upsertMarkedSection('# Rules\n\nBe nice.\n', 'body');
    expect(next).toBe(`# Rules\n\nBe nice.\n\n${sectionStart}\nbody\n${sectionEnd}\n`);
  });

  it('replaces only its own section', () => {
    const before = `a\n${sectionStart}\nold\n${sectionEnd}\nz\n`;
    expect(upsertMarkedSection(before, 'new')).toBe(`a\n${sectionStart}\nnew\n${sectionEnd}\nz\n`);
  });

  it('keeps any text, and a second upsert changes nothing (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (text, body) => {
        fc.pre(!text.includes(sectionStart) && !text.includes(sectionEnd) && body.trim() !== '');
        const once = upsertMarkedSection(text, body) as string;
        if (text.trim() !== '') expect(once.startsWith(text)).toBe(true);
        expect(upsertMarkedSection(once, body)).toBeUndefined();
      }),
    );
  });
});

describe('removeMarkedSection', () => {
  it('takes out only its own section', () => {
    expect(removeMarkedSection(`a\n\n${sectionStart}\nold\n${sectionEnd}\nz\n`)).toBe('a\nz\n');
    expect(removeMarkedSection('no section\n')).toBeUndefined();
    expect(removeMarkedSection(undefined)).toBeUndefined();
  });

  it('undoes an upsert: the text before it comes back (property)', () => {
    // Any text that ends in one newline (the way a file does).
    const file = fc.string().map((text) => `${text.trimEnd()}.\n`);
    fc.assert(
      fc.property(file, fc.string({ minLength: 1 }), (text, body) => {
        fc.pre(!text.includes(sectionStart) && !text.includes(sectionEnd) && body.trim() !== '');
        const once = upsertMarkedSection(text, body) as string;
        expect(removeMarkedSection(once)).toBe(text);
      }),
    );
  });
});
