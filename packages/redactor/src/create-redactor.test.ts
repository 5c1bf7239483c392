import { describe, expect, it } from 'vitest';
import { cutAt, streamThrough } from '../test/reference-redact.js';
import { createRedactor, type RedactorOptions } from './create-redactor.js';
import { isRedactorError, type RedactorError } from './redactor-error.js';

const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function thrown(run: () => unknown): RedactorError {
  try {
    run();
  } catch (error) {
    if (isRedactorError(error)) return error;
    throw error;
  }
  throw new Error('expected a RedactorError');
}

describe('createRedactor', () => {
  it('redacts a secret in a string', () => {
    const redactor = createRedactor({ secrets: [secret] });
    expect(redactor.redact(`key=${secret}; again ${secret}.`)).toBe(
      'key=[REDACTED]; again [REDACTED].',
    );
  });

  it('redacts a secret in bytes and returns a new array', () => {
    const redactor = createRedactor({ secrets: [secret] });
    const input = bytes(`>${secret}<`);
    const output = redactor.redact(input);
    expect(text(output)).toBe('>[REDACTED]<');
    expect(text(input)).toBe(`>${secret}<`);
  });

  it('accepts secrets as bytes and matches them on bytes', () => {
    const binary = new Uint8Array([0, 255, 7, 0x80, 0x81, 9, 10]);
    const redactor = createRedactor({ secrets: [binary], variants: 'raw' });
    const input = new Uint8Array([1, 2, ...binary, 3, ...binary]);
    expect([...redactor.redact(input)]).toEqual([
      1,
      2,
      ...bytes('[REDACTED]'),
      3,
      ...bytes('[REDACTED]'),
    ]);
  });

  it('passes binary output through unchanged apart from replacements', () => {
    const redactor = createRedactor({ secrets: [secret] });
    const noise = new Uint8Array(70_000).map((_, i) => (i * 7919 + (i >> 8)) & 255);
    expect(redactor.redact(noise)).toEqual(noise);
    const withSecret = new Uint8Array(Buffer.concat([noise, bytes(secret), noise]));
    expect(redactor.redact(withSecret)).toEqual(
      new Uint8Array(Buffer.concat([noise, bytes('[REDACTED]'), noise])),
    );
  });

  it('passes text in other encodings through unchanged', () => {
    const redactor = createRedactor({ secrets: [secret] });
    const latin1 = Buffer.from(`café ${secret} naïve`, 'latin1');
    const utf16 = Buffer.from('日本語のテキスト', 'utf16le');
    expect(Buffer.from(redactor.redact(latin1)).toString('latin1')).toBe('café [REDACTED] naïve');
    expect(redactor.redact(utf16)).toEqual(new Uint8Array(utf16));
  });

  it.each([
    ['base64', (s: string) => Buffer.from(s).toString('base64')],
    ['base64 shifted by one byte', (s: string) => Buffer.from(`x${s}`).toString('base64')],
    ['base64 shifted by two bytes', (s: string) => Buffer.from(`xy${s}`).toString('base64')],
    ['base64url', (s: string) => Buffer.from(`?${s}>`).toString('base64url')],
    ['lower-case hex', (s: string) => Buffer.from(s).toString('hex')],
    ['upper-case hex', (s: string) => Buffer.from(s).toString('hex').toUpperCase()],
    ['URL-encoded', (s: string) => encodeURIComponent(s)],
    ['JSON-escaped', (s: string) => JSON.stringify(s).slice(1, -1)],
  ])('redacts the secret written as %s', (_name, encode) => {
    const tricky = 'p@ss/w0rd+"quoted"?&=é';
    const redactor = createRedactor({ secrets: [tricky] });
    const encoded = encode(tricky);
    const output = redactor.redact(`value: ${encoded} end`);
    expect(output).toContain('[REDACTED]');
    expect(output).not.toContain(encoded);
    expect(output.length).toBeLessThan(`value: ${encoded} end`.length);
  });

  it('redacts each line of a multi-line secret printed on its own', () => {
    const pem = [
      '-----BEGIN EC PRIVATE KEY-----',
      'MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49',
      'AwEHoUQDQgAEPR3tU2Fta9ktY+6P9G0cWO+0kETA6SOs38Wh9H2kF4i',
      '-----END EC PRIVATE KEY-----',
    ].join('\n');
    const redactor = createRedactor({ secrets: [pem] });
    const output = redactor.redact(
      `line 2 is ${pem.split('\n')[1]} and line 3 is ${pem.split('\n')[2]}`,
    );
    expect(output).toBe('line 2 is [REDACTED] and line 3 is [REDACTED]');
    expect(redactor.redact(JSON.stringify({ key: pem }))).toBe('{"key":"[REDACTED]"}');
    expect(redactor.redact(pem.replaceAll('\n', '\r\n'))).not.toMatch(/MHcC|AwEH/);
  });

  it('redacts the longest of two secrets that share a prefix', () => {
    const redactor = createRedactor({ secrets: ['token-abc', 'token-abcdef'] });
    expect(redactor.redact('token-abcdef token-abc token-abcde')).toBe(
      '[REDACTED] [REDACTED] [REDACTED]de',
    );
  });

  it('redacts a secret nested inside another secret once', () => {
    const redactor = createRedactor({ secrets: ['inner-secret', 'outer-inner-secret-end'] });
    expect(redactor.redact('a outer-inner-secret-end b inner-secret c')).toBe(
      'a [REDACTED] b [REDACTED] c',
    );
    expect(redactor.stats.total).toBe(2);
  });

  it('replaces overlapping secrets as one range, so no piece of either is left', () => {
    const redactor = createRedactor({ secrets: ['AAAA-BBBB-CCCC', 'CCCC-DDDD-EEEE'] });
    expect(redactor.redact('x AAAA-BBBB-CCCC-DDDD-EEEE y')).toBe('x [REDACTED] y');
  });

  it('replaces a chain of overlapping occurrences of one secret once', () => {
    const redactor = createRedactor({ secrets: ['abcabcab'] });
    expect(redactor.redact('-abcabcabcabcabcab-')).toBe('-[REDACTED]-');
  });

  it('keeps adjacent occurrences as separate replacements', () => {
    const redactor = createRedactor({ secrets: [secret] });
    expect(redactor.redact(secret + secret)).toBe('[REDACTED][REDACTED]');
  });

  it('uses the replacement given', () => {
    const redactor = createRedactor({ secrets: [secret], replacement: '***' });
    expect(redactor.redact(`a ${secret} b`)).toBe('a *** b');
    expect(createRedactor({ secrets: [secret], replacement: '' }).redact(`a${secret}b`)).toBe('ab');
  });

  it('skips empty secrets and matches duplicates once', () => {
    const redactor = createRedactor({ secrets: ['', secret, secret, new Uint8Array(0)] });
    expect(redactor.redact(`${secret}`)).toBe('[REDACTED]');
    expect(redactor.stats.total).toBe(1);
  });

  it('redacts nothing when there are no secrets', () => {
    const redactor = createRedactor({ secrets: [] });
    expect(redactor.redact('nothing to hide')).toBe('nothing to hide');
    expect(text(streamThrough(redactor.createStream(), cutAt(bytes('abc'), [1])))).toBe('abc');
  });

  it('matches only the raw bytes with variants: raw', () => {
    const redactor = createRedactor({ secrets: [secret], variants: 'raw' });
    const hex = Buffer.from(secret).toString('hex');
    expect(redactor.redact(`${secret} ${hex}`)).toBe(`[REDACTED] ${hex}`);
  });

  it('switches off only the kinds named false', () => {
    const redactor = createRedactor({ secrets: [secret], variants: { hex: false } });
    const hex = Buffer.from(secret).toString('hex');
    const base64 = Buffer.from(secret).toString('base64');
    // The last base64 character mixes in padding bits; it is redacted with the fragment, padding too.
    expect(redactor.redact(`${hex} ${base64}`)).toBe(`${hex} [REDACTED]`);
  });

  it('counts replacements by kind, not by secret', () => {
    const redactor = createRedactor({ secrets: [secret, 'another-secret-value'] });
    redactor.redact(`${secret} ${Buffer.from(secret).toString('hex')} another-secret-value`);
    const stream = redactor.createStream();
    stream.push(bytes(Buffer.from(secret).toString('base64')));
    stream.end();
    expect(redactor.stats).toEqual({
      total: 4,
      byKind: { raw: 2, hex: 1, base64: 1, base64url: 0, url: 0, json: 0, line: 0, xml: 0 },
    });
    expect(stream.stats.total).toBe(1);
    expect(JSON.stringify(redactor.stats)).not.toContain(secret);
  });

  it('counts an overlapping range once, under the kind of its longest match', () => {
    const redactor = createRedactor({ secrets: ['abcdefgh', '6162636465666768'], variants: 'raw' });
    redactor.redact('6162636465666768');
    expect(redactor.stats.total).toBe(1);
    expect(redactor.stats.byKind.raw).toBe(1);
  });

  it('refuses a secret shorter than minLength, naming its index and not its value', () => {
    const error = thrown(() => createRedactor({ secrets: ['long-enough-1', 'pw123', 'x'] }));
    expect(error.code).toBe('SECRET_TOO_SHORT');
    expect(error.index).toBe(1);
    expect(error.name).toBe('RedactorError');
    expect(error.message).toContain('secrets[1]');
    expect(error.message).not.toContain('pw123');
    expect(String(error.stack)).not.toContain('pw123');
  });

  it('measures minLength in bytes and lets it be changed', () => {
    expect(thrown(() => createRedactor({ secrets: ['ééé'], minLength: 7 })).code).toBe(
      'SECRET_TOO_SHORT',
    );
    expect(createRedactor({ secrets: ['ééé'] }).redact('a ééé b')).toBe('a [REDACTED] b');
    expect(createRedactor({ secrets: ['abc'], minLength: 3 }).redact('xabcx')).toBe('x[REDACTED]x');
  });

  it('refuses a replacement that contains a secret, without showing the secret', () => {
    const error = thrown(() =>
      createRedactor({ secrets: ['hunter22', 'REDACTED'], replacement: '[REDACTED]' }),
    );
    expect(error.code).toBe('REPLACEMENT_CONTAINS_SECRET');
    expect(error.index).toBe(1);
    expect(error.message).not.toContain('REDACTED');
  });

  it.each<[string, unknown]>([
    ['no options', undefined],
    ['secrets that is a string', { secrets: secret }],
    ['secrets that is not iterable', { secrets: 42 }],
    ['a secret that is a number', { secrets: [secret, 12345678] }],
    ['minLength of zero', { secrets: [], minLength: 0 }],
    ['minLength that is not whole', { secrets: [], minLength: 6.5 }],
    ['a replacement that is not a string', { secrets: [], replacement: 1 }],
    ['an unknown option', { secrets: [], minlength: 3 }],
    ['an unknown variant', { secrets: [], variants: { base32: true } }],
    ['a variant flag that is not boolean', { secrets: [], variants: { hex: 'no' } }],
    ['variants that is an unknown word', { secrets: [], variants: 'some' }],
    ['raw switched off', { secrets: [], variants: { raw: false } }],
  ])('refuses %s with INVALID_OPTIONS', (_name, options) => {
    const error = thrown(() => createRedactor(options as RedactorOptions));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).not.toContain(secret);
  });

  it('names the index of a secret of the wrong type', () => {
    const error = thrown(() => createRedactor({ secrets: [secret, null] as never }));
    expect(error.index).toBe(1);
  });

  it('reads secrets from any iterable, once', () => {
    function* secrets() {
      yield secret;
      yield 'second-secret';
    }
    expect(createRedactor({ secrets: secrets() }).redact(`${secret} second-secret`)).toBe(
      '[REDACTED] [REDACTED]',
    );
  });

  it('does not depend on the caller keeping the secret bytes unchanged', () => {
    const value = bytes(secret);
    const redactor = createRedactor({ secrets: [value] });
    value.fill(0);
    expect(redactor.redact(secret)).toBe('[REDACTED]');
  });
});

describe('Redactor.redact', () => {
  it('refuses input that is neither a string nor bytes', () => {
    const redactor = createRedactor({ secrets: [secret] });
    expect(thrown(() => redactor.redact(42 as never)).code).toBe('INVALID_INPUT');
  });

  it('gives the same result however often it is called', () => {
    const redactor = createRedactor({ secrets: [secret] });
    const input = `${secret.slice(0, 10)}|${secret}`;
    expect(redactor.redact(input)).toBe(redactor.redact(input));
  });
});
