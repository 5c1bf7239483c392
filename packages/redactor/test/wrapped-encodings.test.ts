import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/create-redactor.js';
import { cutAt, streamThrough } from './reference-redact.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => Buffer.from(data).toString('latin1');

/** A 100-byte secret: its base64 runs over several lines at any usual wrap column. */
const longSecret = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) % 256));
const tokenSecret = 'ghp_R2d2C3poLuke5kyWalker0bi1WanKenobi-and-some-more-chars';

/** Breaks `encoded` into lines of `column` characters, as `base64 -w`, `fold` or `xxd -c` do. */
function wrap(encoded: string, column: number, newline = '\n'): string {
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += column) lines.push(encoded.slice(at, at + column));
  return lines.join(newline) + newline;
}

/** The output with every line break of one or two bytes taken out, as a reader would join the lines. */
const unwrap = (output: string) => output.replace(/(?<![\r\n])[\r\n]{1,2}(?![\r\n])/g, '');

/**
 * What must be left of `base64(before + secret + after)` once redacted: the
 * characters made of `before` alone, one replacement, and the characters made
 * of `after` alone (none, and no padding, when nothing follows the secret).
 */
function expectedAround(before: Uint8Array, secret: Uint8Array, after: Uint8Array, url = false) {
  const blob = Buffer.concat([before, secret, after]).toString(url ? 'base64url' : 'base64');
  const head = blob.slice(0, Math.floor((before.length * 8) / 6));
  const tail =
    after.length === 0 ? '' : blob.slice(Math.ceil(((before.length + secret.length) * 8) / 6));
  return `${head}[REDACTED]${tail}`;
}

describe('createRedactor (wrapped encodings)', () => {
  const redactor = createRedactor({ secrets: [longSecret, tokenSecret] });

  for (const [name, column, newline] of [
    ['coreutils base64 (76 columns, LF)', 76, '\n'],
    ['PEM and openssl (64 columns, LF)', 64, '\n'],
    ['MIME (76 columns, CRLF)', 76, '\r\n'],
    ['PEM written on Windows (64 columns, CRLF)', 64, '\r\n'],
  ] as const) {
    it(`redacts a long secret's base64 wrapped as ${name} with one replacement`, () => {
      for (const secret of [longSecret, Buffer.from(tokenSecret)]) {
        const wrapped = wrap(secret.toString('base64'), column, newline);
        expect(wrapped.split(newline).length).toBeGreaterThan(2);
        expect(redactor.redact(wrapped)).toBe(`[REDACTED]${newline}`);
      }
    });
  }

  it('redacts the base64 at every wrap column from 1 to 80, LF and CRLF, at every alignment', () => {
    for (let column = 1; column <= 80; column++) {
      for (const newline of ['\n', '\r\n']) {
        for (const before of [0, 1, 2, 4]) {
          for (const after of [0, 1, 2, 3]) {
            const head = Buffer.alloc(before, 0xa5);
            const tail = Buffer.alloc(after, 0x5a);
            const blob = Buffer.concat([head, longSecret, tail]).toString('base64');
            const output = redactor.redact(`data:\n${wrap(blob, column, newline)}end\n`);
            expect(output.split('[REDACTED]')).toHaveLength(2);
            expect(unwrap(output)).toBe(`data:${expectedAround(head, longSecret, tail)}end`);
          }
        }
      }
    }
  });

  it('redacts the base64url form wrapped over lines', () => {
    const head = Buffer.from([1]);
    const blob = Buffer.concat([head, longSecret]).toString('base64url');
    const output = redactor.redact(wrap(blob, 50));
    expect(unwrap(output)).toBe(expectedAround(head, longSecret, new Uint8Array(0), true));
  });

  it('redacts hex wrapped as xxd -p writes it (60 columns), in lower and upper case', () => {
    for (const upper of [false, true]) {
      let hex = longSecret.toString('hex');
      if (upper) hex = hex.toUpperCase();
      expect(redactor.redact(wrap(hex, 60))).toBe('[REDACTED]\n');
      expect(redactor.redact(`ff00${wrap(hex, 60, '\r\n')}`)).toBe('ff00[REDACTED]\r\n');
    }
  });

  it('leaves no hex digit of the secret beside the replacement: hex forms are whole bytes', () => {
    const secret = Buffer.from(tokenSecret);
    for (let column = 1; column <= 80; column++) {
      const output = redactor.redact(`0a${wrap(secret.toString('hex'), column)}b7`);
      expect(unwrap(output)).toBe('0a[REDACTED]b7');
    }
  });

  it('redacts the base64 edge characters and padding that carry bits of the secret', () => {
    for (const secret of ['abcdefghi', 'abcdefghij', 'abcdefghijk']) {
      const own = createRedactor({ secrets: [secret] });
      const base64 = Buffer.from(secret).toString('base64');
      expect(own.redact(`key: ${base64}`)).toBe('key: [REDACTED]');
      expect(own.redact(`key: ${Buffer.from(secret).toString('base64url')} .`)).toBe(
        'key: [REDACTED] .',
      );
      for (const before of ['x', 'xy', 'xyz']) {
        for (const after of ['', 'q', 'qr', 'qrs']) {
          const head = Buffer.from(before);
          const tail = Buffer.from(after);
          const blob = Buffer.concat([head, Buffer.from(secret), tail]).toString('base64');
          expect(own.redact(blob)).toBe(expectedAround(head, Buffer.from(secret), tail));
        }
      }
    }
  });

  it('takes in an edge character that sits across a line break from the fragment', () => {
    const secret = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789');
    const own = createRedactor({ secrets: [secret] });
    const blob = Buffer.concat([Buffer.from('x'), secret, Buffer.from('y')]).toString('base64');
    // 'eA' holds the 'x' and the first bits of the secret: break the line right after each edge character.
    const broken = `${blob.slice(0, 2)}\n${blob.slice(2, -3)}\r\n${blob.slice(-3)}`;
    expect(own.redact(broken)).toBe(`${blob.slice(0, 1)}[REDACTED]${blob.slice(-2)}`);
  });

  it('gives the same output streamed in any chunking, 1-byte chunks included', () => {
    const head = Buffer.from([7, 7]);
    const blob = Buffer.concat([head, longSecret]).toString('base64');
    const input = bytes(
      `begin\n${wrap(blob, 13, '\r\n')}mid ${wrap(Buffer.from(tokenSecret).toString('hex'), 7)}end`,
    );
    const expected = redactor.redact(input);
    expect(text(expected)).not.toContain(blob.slice(10, 30));
    const oneByte = Array.from(input, (_, i) => input.subarray(i, i + 1));
    expect(streamThrough(redactor.createStream(), oneByte)).toEqual(expected);
    for (let cut = 0; cut <= input.length; cut += 3) {
      expect(streamThrough(redactor.createStream(), cutAt(input, [cut, cut + 50]))).toEqual(
        expected,
      );
    }
  });

  it('finds wrapped forms the same way after lines that end and start with words', () => {
    // Such lines make the scan switch from line breaks to skipping through runs for a while.
    const words = Array.from({ length: 400 }, (_, i) => `step ${i} done\nstatus${i} ok`).join('\n');
    const blob = Buffer.concat([Buffer.from([9]), longSecret]).toString('base64');
    const hex = Buffer.from(tokenSecret).toString('hex');
    const input = bytes(
      `${words}\n${wrap(blob, 64)}${words}\n${wrap(hex, 60, '\r\n')}${words}\n${wrap(blob, 3)}end`,
    );
    const expected = redactor.redact(input);
    expect(text(expected).split('[REDACTED]')).toHaveLength(4);
    for (const size of [1000, 4096, 65536]) {
      for (const shift of [0, 7, 333]) {
        const offsets = Array.from({ length: Math.ceil(input.length / size) + 1 }, (_, i) =>
          Math.max(0, i * size - shift),
        );
        expect(streamThrough(redactor.createStream(), cutAt(input, offsets))).toEqual(expected);
      }
    }
  });

  it('holds back the lines of a wrapped form until it is complete, then emits one replacement', () => {
    const stream = redactor.createStream();
    const lines = wrap(longSecret.toString('base64'), 76).split('\n');
    let emitted = '';
    for (const line of lines.slice(0, -2)) emitted += text(stream.push(bytes(`${line}\n`)));
    expect(emitted).toBe('');
    emitted += text(stream.push(bytes(`${lines.at(-2)}\nnext line`)));
    emitted += text(stream.end());
    expect(emitted).toBe('[REDACTED]\nnext line');
  });

  it('does not redact lines of base64-alphabet words that form no secret together', () => {
    const plain = [
      'deployment\nsucceeded',
      'build\r\n2025-01-01T12',
      `${tokenSecret.slice(0, 20)}\n${tokenSecret.slice(0, 20)}`, // a prefix twice: no whole form
      Buffer.from(tokenSecret).toString('base64').slice(0, 30),
      'abc123\n\ndef456\r\nGHI789',
    ];
    for (const input of plain) expect(redactor.redact(input)).toBe(input);
  });

  it('matches the raw, URL and JSON forms only unbroken: a line break there is not a wrap', () => {
    const output = redactor.redact(`${tokenSecret.slice(0, 30)}\n${tokenSecret.slice(30)}`);
    expect(output).toBe(`${tokenSecret.slice(0, 30)}\n${tokenSecret.slice(30)}`);
  });

  it('does not join pieces separated by three line breaks or by other bytes', () => {
    const base64 = Buffer.from(tokenSecret).toString('base64');
    for (const separator of ['\n\n\n', '\r\n\r\n', ' ', '\t', '\n \n']) {
      const input = `${base64.slice(0, 30)}${separator}${base64.slice(30)}`;
      expect(redactor.redact(input)).toBe(input);
    }
  });

  it('attack: megabytes of line breaks pass through unchanged, in linear time', () => {
    // Each line break is looked at a constant number of times; a scan that measured the whole
    // run of breaks at each one would not finish here.
    const floods = ['\n', '\r\n', 'A\n', 'AB\r\n\n'].map((unit) =>
      bytes(unit.repeat(Math.ceil((4 * 1024 * 1024) / unit.length))),
    );
    for (const input of floods) {
      const offsets = Array.from({ length: Math.ceil(input.length / 65536) }, (_, i) => i * 65536);
      const output = streamThrough(redactor.createStream(), cutAt(input, offsets));
      expect(Buffer.from(output).equals(Buffer.from(input))).toBe(true);
    }
  });

  it("attack: a form's first line followed by endless line breaks is not held forever", () => {
    const stream = redactor.createStream();
    const first = wrap(longSecret.toString('base64'), 76).split('\n')[0]!;
    let emitted = text(stream.push(bytes(first)));
    for (let i = 0; i < 1000; i++) emitted += text(stream.push(bytes('\n')));
    expect(emitted).toBe(`${first}${'\n'.repeat(1000)}`.slice(0, emitted.length));
    expect(emitted.length).toBeGreaterThan(first.length);
  });
});
