import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/create-redactor.js';
import { cutAt, streamThrough } from './reference-redact.js';

const encoder = new TextEncoder();

/** Secrets with the characters XML escapers replace, and some that JSON escapes. */
const secretChar = fc.constantFrom(...'abcXYZ019-_./&<>"\'é€😀\\'.split(/(?:)/u));
const secretText = fc.string({ unit: secretChar, minLength: 6, maxLength: 20 });
const filler = fc.string({
  unit: fc.constantFrom(...'ab <x y="1"> &amp; \\u0041\n:'.split('')),
  maxLength: 30,
});

/** Each form written here by hand, independently of the package. */
const xmlForms = {
  xml: (s: string) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
    ),
  lodash: (s: string) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
    ),
  python: (s: string) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!,
    ),
  go: (s: string) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!,
    ),
  decimal: (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  hexUpper: (s: string) =>
    s.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
};
const allUnicode = (s: string, upper: boolean) =>
  [...Array(s.length).keys()]
    .map((i) => {
      const digits = s.charCodeAt(i).toString(16).padStart(4, '0');
      return `\\u${upper ? digits.toUpperCase() : digits}`;
    })
    .join('');

/**
 * Streams `before + form + after` cut once at every offset, and in 1-byte chunks: each
 * output equals the one-shot output, which holds no copy of the form.
 */
function checkEverySplit(secret: string, form: string, before: string, after: string) {
  const redactor = createRedactor({ secrets: [secret] });
  const input = encoder.encode(before + form + after);
  const oneShot = Buffer.from(redactor.redact(input));
  expect(oneShot.includes(Buffer.from(form))).toBe(false);
  expect(oneShot.includes(Buffer.from('[REDACTED]'))).toBe(true);
  const everyByte = Array.from({ length: input.length }, (_, i) => i);
  expect(
    Buffer.from(streamThrough(redactor.createStream(), cutAt(input, everyByte))).equals(oneShot),
  ).toBe(true);
  for (let cut = 1; cut < input.length; cut++) {
    const out = Buffer.from(streamThrough(redactor.createStream(), cutAt(input, [cut])));
    if (!out.equals(oneShot)) {
      // Name the offset, never the secret.
      throw new Error(`output differs from one-shot when cut at offset ${cut}`);
    }
  }
}

describe('createRedactor (new forms, streamed)', () => {
  it('redacts the XML- and HTML-entity forms of a secret, split at every offset', () => {
    fc.assert(
      fc.property(
        secretText.filter((s) => /[&<>"']/.test(s)),
        fc.constantFrom(...Object.values(xmlForms)),
        filler,
        filler,
        (secret, escapeForm, before, after) =>
          checkEverySplit(secret, escapeForm(secret), before, after),
      ),
      { numRuns: 150 },
    );
  });

  it('redacts the JSON form with every character \\u-escaped, split at every offset', () => {
    fc.assert(
      fc.property(secretText, fc.boolean(), filler, filler, (secret, upper, before, after) =>
        checkEverySplit(secret, allUnicode(secret, upper), before, after),
      ),
      { numRuns: 150 },
    );
  });

  it('finds the all-\\u form inside a JSON document written by an escaping encoder', () => {
    const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const redactor = createRedactor({ secrets: [secret] });
    const json = `{"token":"${allUnicode(secret, false)}","n":1}`;
    expect(redactor.redact(json)).toBe('{"token":"[REDACTED]","n":1}');
    expect(redactor.stats.byKind.json).toBe(1);
  });

  it('finds the entity form in an HTML attribute and counts it as xml', () => {
    const secret = `pa"ss<w>o'rd&1`;
    const redactor = createRedactor({ secrets: [secret] });
    const html = `<input value="${xmlForms.lodash(secret)}">`;
    expect(redactor.redact(html)).toBe('<input value="[REDACTED]">');
    expect(redactor.stats.byKind.xml).toBe(1);
    expect(createRedactor({ secrets: [secret], variants: { xml: false } }).redact(html)).toBe(html);
  });
});
