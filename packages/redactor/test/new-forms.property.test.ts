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

/** SGR sequences as terminals and loggers write them. */
const sgrSequence = fc.constantFrom(
  '\x1b[0m',
  '\x1b[m',
  '\x1b[31m',
  '\x1b[1;32m',
  '\x1b[38;5;208m',
  '\x1b[38;2;255;128;0m',
  '\x1b[48:2::10:20:30m',
);

/** `secret` with a colour sequence (or several) inserted between some or all of its characters. */
const colouredSecret = (secret: string) =>
  fc
    .array(fc.array(sgrSequence, { maxLength: 2 }), {
      minLength: [...secret].length - 1,
      maxLength: [...secret].length - 1,
    })
    .map((between) => {
      const chars = [...secret];
      return chars
        .map((char, k) => char + (k < between.length ? between[k]!.join('') : ''))
        .join('');
    });

const stripSgr = (text: string) => text.replace(/\x1b\[[0-9;:]*m/g, '');

/**
 * The expected output for one raw secret, written the slow way: find the secret in the
 * output without SGR sequences, and replace each range from its first byte to its last.
 */
function referenceSgr(input: string, secret: string): string {
  const kept: number[] = [];
  let stripped = '';
  for (let i = 0; i < input.length; ) {
    const sequence = /^\x1b\[[0-9;:]*m/.exec(input.slice(i, i + 32));
    if (sequence) {
      i += sequence[0].length;
      continue;
    }
    kept.push(i);
    stripped += input[i];
    i++;
  }
  const ranges: [number, number][] = [];
  for (let at = stripped.indexOf(secret); at !== -1; at = stripped.indexOf(secret, at + 1)) {
    ranges.push([kept[at]!, kept[at + secret.length - 1]! + 1]);
  }
  let out = '';
  let cursor = 0;
  for (let k = 0; k < ranges.length; ) {
    const start = ranges[k]![0];
    let end = ranges[k]![1];
    for (k++; k < ranges.length && ranges[k]![0] < end; k++) end = Math.max(end, ranges[k]![1]);
    out += `${input.slice(cursor, start)}[REDACTED]`;
    cursor = end;
  }
  return out + input.slice(cursor);
}

describe('createRedactor (colour sequences inside a secret)', () => {
  const asciiSecret = fc.string({
    unit: fc.constantFrom(...'abcmxyz0189-_.'.split('')),
    minLength: 6,
    maxLength: 16,
  });
  const colouredFiller = fc
    .array(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...'am1 [;\n'.split('')), maxLength: 8 }),
        sgrSequence,
      ),
      {
        maxLength: 6,
      },
    )
    .map((parts) => parts.join(''));

  it('redacts a secret with colour codes between any of its bytes, split at every offset', () => {
    fc.assert(
      fc.property(
        asciiSecret.chain((secret) => fc.tuple(fc.constant(secret), colouredSecret(secret))),
        colouredFiller,
        colouredFiller,
        ([secret, coloured], before, after) => {
          checkEverySplit(secret, coloured, before, after);
          const out = createRedactor({ secrets: [secret] }).redact(before + coloured + after);
          expect(stripSgr(out).includes(secret)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('replaces exactly the bytes from the first to the last of the secret, as the reference does', () => {
    fc.assert(
      fc.property(
        asciiSecret.chain((secret) =>
          fc.tuple(
            fc.constant(secret),
            fc.array(fc.oneof(colouredSecret(secret), colouredFiller), { maxLength: 6 }),
          ),
        ),
        fc.array(fc.nat(400), { maxLength: 6 }),
        ([secret, pieces], cuts) => {
          const input = pieces.join('');
          const redactor = createRedactor({ secrets: [secret], variants: 'raw' });
          const expected = referenceSgr(input, secret);
          const streamed = streamThrough(
            redactor.createStream(),
            cutAt(encoder.encode(input), cuts),
          );
          expect(Buffer.from(streamed).toString()).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts a key whose every character is coloured, as a highlighter prints it', () => {
    const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const coloured = [...secret].map((c, k) => `\x1b[3${k % 8}m${c}`).join('');
    const redactor = createRedactor({ secrets: [secret] });
    expect(redactor.redact(`token: ${coloured}\x1b[0m done`)).toBe(
      'token: \x1b[30m[REDACTED]\x1b[0m done',
    );
  });

  it('leaves other escape sequences as text: a cursor move inside a secret is not skipped', () => {
    const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const moved = `${secret.slice(0, 10)}\x1b[2J${secret.slice(10)}`;
    expect(createRedactor({ secrets: [secret] }).redact(moved)).toBe(moved);
  });

  it('holds back a bounded tail under a flood of colour codes between the bytes of a prefix', () => {
    const secret = 'aaaaaaaaaaaaaaaaaaaab';
    const stream = createRedactor({ secrets: [secret], variants: 'raw' }).createStream();
    const flood = encoder.encode('a\x1b[38;2;255;255;255m'.repeat(50_000));
    let held = 0;
    for (let k = 0; k < 4; k++) {
      held += flood.length - stream.push(flood).length;
      // The longest held prefix: fewer than 21 bytes of the secret, each with a sequence after it.
      expect(held).toBeLessThanOrEqual(21 * 33);
    }
    expect(Buffer.from(stream.end()).length).toBe(held);
  });

  it('reads a sequence longer than 32 bytes as text, without buffering it', () => {
    const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const long = `\x1b[${'1;'.repeat(40)}m`;
    const input = `${secret.slice(0, 8)}${long}${secret.slice(8)}`;
    const stream = createRedactor({ secrets: [secret] }).createStream();
    const out = Buffer.concat([stream.push(encoder.encode(input)), stream.end()]).toString();
    expect(out).toBe(input);
  });
});
