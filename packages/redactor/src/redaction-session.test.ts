import { describe, expect, it } from 'vitest';
import { cutAt, streamThrough } from '../test/reference-redact.js';
import { createRedactor } from './create-redactor.js';
import { isRedactorError } from './redactor-error.js';

const secret = 'ghp_R2d2C3poLuke5kyWalker0bi1WanKenobi';
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('RedactionStream', () => {
  it('redacts a secret split across two chunks', () => {
    const stream = createRedactor({ secrets: [secret] }).createStream();
    const first = stream.push(bytes(`token: ${secret.slice(0, 9)}`));
    const second = stream.push(bytes(`${secret.slice(9)} done`));
    expect(text(first)).toBe('token: ');
    // The last letter is held: it could be the first, partial character of a base64-encoded secret.
    expect(text(second)).toBe('[REDACTED] don');
    expect(text(stream.end())).toBe('e');
  });

  it('redacts the secret whatever offset the input is split at', () => {
    const redactor = createRedactor({ secrets: [secret, 'other-secret-value'] });
    const input = bytes(
      `a ${secret} b ${Buffer.from(secret).toString('base64')} c other-secret-${secret} d`,
    );
    const expected = text(redactor.redact(input));
    for (let cut = 0; cut <= input.length; cut++) {
      expect(text(streamThrough(redactor.createStream(), cutAt(input, [cut])))).toBe(expected);
    }
    for (let a = 0; a < input.length; a += 3) {
      for (let b = a; b < input.length; b += 5) {
        expect(text(streamThrough(redactor.createStream(), cutAt(input, [a, b])))).toBe(expected);
      }
    }
  });

  it('gives the same output for 1-byte chunks as for one chunk', () => {
    const redactor = createRedactor({ secrets: [secret] });
    const input = bytes(`${secret}${secret.slice(0, 20)}x${encodeURIComponent(secret)}\n`);
    const oneByte = Array.from(input, (_, i) => input.subarray(i, i + 1));
    expect(streamThrough(redactor.createStream(), oneByte)).toEqual(redactor.redact(input));
  });

  it('holds back exactly the longest tail that could still begin a secret', () => {
    const stream = createRedactor({
      secrets: ['abcdefgh', 'cdXYZ123'],
      variants: 'raw',
    }).createStream();
    expect(text(stream.push(bytes('012abc')))).toBe('012');
    expect(text(stream.push(bytes('dX')))).toBe('ab'); // 'cdX' may still begin cdXYZ123
    expect(text(stream.push(bytes('q')))).toBe('cdXq');
    expect(text(stream.push(bytes('abcdefg')))).toBe('');
    expect(text(stream.end())).toBe('abcdefg');
  });

  it('emits the held tail at the end, redacting a match completed by the last byte', () => {
    const stream = createRedactor({ secrets: ['abcdefgh'], variants: 'raw' }).createStream();
    expect(text(stream.push(bytes('xxabcdefg')))).toBe('xx');
    expect(text(stream.push(bytes('h')))).toBe('[REDACTED]');
    expect(text(stream.end())).toBe('');
  });

  it('emits a replacement as soon as its range has started, and swallows what extends it', () => {
    const stream = createRedactor({ secrets: ['aaaaaa'], variants: 'raw' }).createStream();
    const chunk = new Uint8Array(100_000).fill(0x61);
    let output = '';
    for (let i = 0; i < 50; i++) output += text(stream.push(chunk));
    expect(output).toBe('[REDACTED]');
    expect(text(stream.end())).toBe('');
    expect(stream.stats.total).toBe(1);
  });

  it('finds matches across the edges of large chunks searched with skips', () => {
    const secrets = Array.from(
      { length: 50 },
      (_, i) => `secret-number-${i}-${'x'.repeat(i % 7)}-end`,
    );
    const redactor = createRedactor({ secrets });
    const parts: string[] = [];
    for (let i = 0; i < 400; i++)
      parts.push(`line ${i} ${i % 3 === 0 ? secrets[i % 50] : 'plain text'}\n`);
    const input = bytes(parts.join(''));
    const expected = redactor.redact(input);
    expect(text(expected)).not.toContain('secret-number');
    for (const size of [1, 7, 300, 1000, 4096]) {
      const offsets = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => i * size);
      expect(streamThrough(redactor.createStream(), cutAt(input, offsets))).toEqual(expected);
    }
  });

  it('finds a secret cut at every offset between a large chunk and the next one', () => {
    const redactor = createRedactor({ secrets: [secret, 'short-1', 'xyzzy-plugh-xyzzy'] });
    const filler = 'output that is long enough to be searched with skips. '.repeat(40);
    const embeddings = [
      secret,
      'short-1',
      'xyzzy-plugh-xyzzy',
      Buffer.from(secret).toString('hex'),
    ];
    for (const before of [100, 1500]) {
      for (const embedded of embeddings) {
        const input = bytes(`${filler.slice(0, before)}${embedded}${filler}`);
        const expected = text(redactor.redact(input));
        expect(expected).toBe(`${filler.slice(0, before)}[REDACTED]${filler}`);
        for (let k = 0; k <= embedded.length; k++) {
          const chunks = cutAt(input, [before + k]);
          expect(text(streamThrough(redactor.createStream(), chunks))).toBe(expected);
        }
      }
    }
  });

  it('gives the same output when a flood of matches makes it scan byte by byte for a while', () => {
    const redactor = createRedactor({ secrets: ['aaaaaaaa', secret] });
    const flood = 'a'.repeat(5000);
    const normal = `plain output ${secret} more output ${'x'.repeat(3000)}\n`;
    const input = bytes(
      [flood, normal, flood, ...Array.from({ length: 40 }, () => normal)].join(''),
    );
    const offsets = Array.from(
      { length: Math.ceil(input.length / 4096) },
      (_, i) => i * 4096 + (i % 7),
    );
    const expected = redactor.redact(input);
    expect(streamThrough(redactor.createStream(), cutAt(input, offsets))).toEqual(expected);
    expect(text(expected).split('[REDACTED]')).toHaveLength(44);
  });

  it('ignores empty chunks', () => {
    const stream = createRedactor({ secrets: [secret] }).createStream();
    expect(stream.push(new Uint8Array(0))).toHaveLength(0);
    stream.push(bytes(secret.slice(0, 5)));
    expect(stream.push(new Uint8Array(0))).toHaveLength(0);
    expect(text(stream.push(bytes(secret.slice(5))))).toBe('[REDACTED]');
  });

  it('refuses push() after end() and a second end()', () => {
    const stream = createRedactor({ secrets: [secret] }).createStream();
    stream.end();
    for (const call of [() => stream.push(bytes('x')), () => stream.end()]) {
      try {
        call();
        expect.unreachable();
      } catch (error) {
        expect(isRedactorError(error) && error.code).toBe('STREAM_ENDED');
      }
    }
  });

  it('keeps streams of one redactor independent', () => {
    const redactor = createRedactor({ secrets: [secret] });
    const a = redactor.createStream();
    const b = redactor.createStream();
    const outA = [
      a.push(bytes(secret.slice(0, 10))),
      a.push(bytes(`${secret.slice(10)}!`)),
      a.end(),
    ];
    const outB = [b.push(bytes(secret.slice(10))), b.end()];
    expect(outA.map(text).join('')).toBe('[REDACTED]!');
    expect(outB.map(text).join('')).toBe(secret.slice(10));
  });

  it('attack: a flood of near-miss prefixes is emitted as it comes, not held', () => {
    const stream = createRedactor({ secrets: [secret] }).createStream();
    const nearMiss = bytes(`${secret.slice(0, -1)}!`);
    let emitted = 0;
    for (let i = 0; i < 10_000; i++) emitted += stream.push(nearMiss).length;
    expect(emitted).toBe(10_000 * nearMiss.length);
    expect(stream.end()).toHaveLength(0);
  });

  it('never emits a held byte that a later chunk turns into part of a secret', () => {
    // Attack: the child prints a secret one byte at a time, hoping bytes leave before the match completes.
    const redactor = createRedactor({ secrets: [secret] });
    const stream = redactor.createStream();
    let emitted = '';
    for (const char of `${secret.slice(0, -1)}`) emitted += text(stream.push(bytes(char)));
    expect(emitted).toBe('');
    emitted += text(stream.push(bytes(secret.slice(-1))));
    emitted += text(stream.end());
    expect(emitted).toBe('[REDACTED]');
  });

  it('attack: two secrets inside a held prefix of a wrapped form both stay redacted', () => {
    // A secret made of hex digits, printed once on a line of its own and then twice on the first
    // lines of what could be the start of another secret's hex dump wrapped at 16 columns: the
    // dump holds the stream back from its first line, so the first match is emitted and the
    // other two are complete but still pending when the chunk ends.
    const hexSecret = '0123456789abcdef';
    const run = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    const other = Uint8Array.from([...run, ...run, 0x07, 0x01, 0x99, 0x98]);
    const stream = createRedactor({ secrets: [hexSecret, other] }).createStream();
    const out = [
      stream.push(bytes(`${hexSecret} ok\n${hexSecret}\n${hexSecret}\n0701`)),
      stream.push(bytes('zz\n')),
      stream.end(),
    ];
    expect(text(out[0]!)).toBe('[REDACTED] ok\n');
    expect(out.map(text).join('')).toBe('[REDACTED] ok\n[REDACTED]\n[REDACTED]\n0701zz\n');
  });
});
