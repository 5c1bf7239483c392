import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentInstructions,
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

describe('agentInstructions', () => {
  it('names the tool, the command ids, and forbids trust and the vault CLIs', () => {
    const text = agentInstructions(['test', 'deploy']);
    expect(text).toMatch(/run_sealed/);
    expect(text).toMatch(/`test`, `deploy`/);
    expect(text).toMatch(/Never run `ironrun trust`/);
    expect(text).toMatch(/`op`, `doppler`, `infisical`/);
  });
});
