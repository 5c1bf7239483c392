import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from './create-redactor.js';
import { isRedactorError } from './redactor-error.js';
import { base64Fragment, expandSecret, secretVariants } from './secret-variants.js';
import { type VariantKind, variantKinds } from './variant-kind.js';

const all = new Set<VariantKind>(variantKinds);
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => Buffer.from(data).toString('latin1');
const forms = (secret: string, kind: VariantKind, minLength = 6) =>
  expandSecret(bytes(secret), all, minLength)
    .filter((variant) => variant.kind === kind)
    .map((variant) => text(variant.bytes));

describe('expandSecret', () => {
  it('lists the raw bytes first', () => {
    const [first] = expandSecret(bytes('sk_live_abcdef'), all, 6);
    expect(first?.kind).toBe('raw');
    expect(text(first!.bytes)).toBe('sk_live_abcdef');
  });

  it('gives lower-case and upper-case hex', () => {
    expect(forms('Secret!', 'hex')).toEqual(['53656372657421', '53656372657421'.toUpperCase()]);
  });

  it('finds the base64 of a secret at every position inside a larger blob', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 40 }),
        fc.uint8Array({ maxLength: 8 }),
        fc.uint8Array({ maxLength: 8 }),
        (secret, before, after) => {
          const blob = Buffer.concat([before, secret, after]).toString('base64');
          const fragment = text(
            base64Fragment(
              secret,
              before.length % 3,
              'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
            ),
          );
          expect(blob).toContain(fragment);
          expect(fragment.length).toBeGreaterThanOrEqual(Math.floor((secret.length * 8) / 6) - 2);
        },
      ),
    );
  });

  it('gives three base64 and three base64url fragments, one per alignment', () => {
    const secret = 'a?b>c~d?e>f~g?h>';
    const blobs = ['', 'x', 'xy'].map((prefix) => Buffer.from(`${prefix}${secret}zz`));
    const base64 = forms(secret, 'base64');
    const base64url = forms(secret, 'base64url');
    expect(base64).toHaveLength(3);
    expect(base64url).toHaveLength(3);
    blobs.forEach((blob, alignment) => {
      expect(blob.toString('base64')).toContain(base64[alignment]);
      expect(blob.toString('base64url')).toContain(base64url[alignment]);
    });
  });

  it('gives the percent-encodings of encodeURIComponent, URLSearchParams and lower-case %xx', () => {
    const secret = "p@ss w/rd!'~*é";
    const encoded = forms(secret, 'url');
    expect(encoded).toContain(encodeURIComponent(secret));
    expect(encoded).toContain(new URLSearchParams({ k: secret }).toString().slice(2));
    expect(encoded).toContain(
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    );
  });

  it('gives the JSON string escapes of JSON.stringify, PHP, Python and Go', () => {
    const secret = 'a"b\\c/d\ne<f>é\u0001';
    const escaped = forms(secret, 'json');
    expect(escaped).toContain(text(bytes(JSON.stringify(secret).slice(1, -1))));
    expect(escaped).toContain(text(bytes('a\\"b\\\\c\\/d\\ne<f>é\\u0001'))); // PHP json_encode
    expect(escaped).toContain('a\\"b\\\\c/d\\ne<f>\\u00e9\\u0001'); // Python json.dumps
    expect(escaped).toContain(text(bytes('a\\"b\\\\c/d\\ne\\u003cf\\u003eé\\u0001'))); // Go
  });

  it('gives the JSON form with every character \\u-escaped, in both hex cases', () => {
    const escaped = forms('k/é😀z', 'json');
    expect(escaped).toContain('\\u006b\\u002f\\u00e9\\ud83d\\ude00\\u007a');
    expect(escaped).toContain('\\u006B\\u002F\\u00E9\\uD83D\\uDE00\\u007A');
    // Not for a secret shorter than minLength, which a redactor refuses anyway.
    expect(forms('k/z', 'json', 6)).toEqual([]);
  });

  it('gives the entity forms of XML, lodash, PHP, Python, Go and numeric escapers', () => {
    const secret = `a&b<c>d"e'f`;
    const escaped = forms(secret, 'xml');
    expect(escaped).toContain('a&amp;b&lt;c&gt;d&quot;e&apos;f'); // XML, GitHub's masking
    expect(escaped).toContain('a&amp;b&lt;c&gt;d&quot;e&#39;f'); // lodash
    expect(escaped).toContain('a&amp;b&lt;c&gt;d&quot;e&#039;f'); // PHP htmlspecialchars
    expect(escaped).toContain('a&amp;b&lt;c&gt;d&quot;e&#x27;f'); // Python html.escape
    expect(escaped).toContain('a&amp;b&lt;c&gt;d&#34;e&#39;f'); // Go html.EscapeString
    expect(escaped).toContain(`a&amp;b&lt;c&gt;d"e'f`); // XML text content
    expect(escaped).toContain('a&#38;b&#60;c&#62;d&#34;e&#39;f');
    expect(escaped).toContain('a&#x26;b&#x3c;c&#x3e;d&#x22;e&#x27;f');
    expect(escaped).toContain('a&#x26;b&#x3C;c&#x3E;d&#x22;e&#x27;f');
    expect(forms('no-specials-here', 'xml')).toEqual([]);
  });

  it('gives no JSON form for a secret that is not UTF-8', () => {
    expect(
      expandSecret(new Uint8Array([0xff, 0xfe, 1, 2, 3, 4, 5]), all, 6).map((v) => v.kind),
    ).not.toContain('json');
  });

  it('splits a PEM key into its lines, trimmed, each long enough', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkq\r\n  hkiG9w0BAQEF  \nAA==\n-----END PRIVATE KEY-----\n';
    expect(forms(pem, 'line')).toEqual([
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkq',
      'hkiG9w0BAQEF',
      '-----END PRIVATE KEY-----',
    ]);
  });

  it('matches a secret read with a trailing newline without the newline', () => {
    expect(forms('token-1234567\n', 'line')).toEqual(['token-1234567']);
  });

  it('leaves out every form shorter than minLength, which would match ordinary text', () => {
    const variants = expandSecret(bytes('ab\ncdefgh\nij'), all, 6);
    for (const variant of variants) expect(variant.bytes.length).toBeGreaterThanOrEqual(6);
    expect(variants.filter((variant) => variant.kind === 'line').map((v) => text(v.bytes))).toEqual(
      ['cdefgh'],
    );
    const short = expandSecret(bytes('a'), all, 1);
    // 'a' is 0b01100001: 'Y' (011000) at alignment 0, nothing whole at 1, 'h' (100001) at 2.
    expect(short.filter((variant) => variant.kind === 'base64').map((v) => text(v.bytes))).toEqual([
      'Y',
      'h',
    ]);
  });

  it('makes only the forms that are enabled', () => {
    const kinds = expandSecret(bytes('abc/def ghi\njkl mno'), new Set(['raw', 'hex']), 3).map(
      (variant) => variant.kind,
    );
    expect(new Set(kinds)).toEqual(new Set(['raw', 'hex']));
  });
});

describe('secretVariants', () => {
  const token = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc/é';

  it('lists the secret first, then every form the redactor looks for, each once', () => {
    const forms = secretVariants(token);
    expect(forms[0]).toBe(token);
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms).toContain(Buffer.from(token).toString('hex'));
    expect(forms).toContain(Buffer.from(token).toString('hex').toUpperCase());
    expect(forms).toContain(encodeURIComponent(token));
    expect(forms).toContain(JSON.stringify(token).slice(1, -1));
    expect(forms).toContain(Buffer.from(token).toString('base64').slice(0, -2));
  });

  it('gives strings a redactor with the same options redacts whole', () => {
    const redactor = createRedactor({ secrets: [token] });
    for (const form of secretVariants(token)) {
      expect(redactor.redact(` ${form} `)).toBe(' [REDACTED] ');
    }
  });

  it('follows the variants and minLength options as createRedactor does', () => {
    expect(secretVariants(token, { variants: 'raw' })).toEqual([token]);
    const noHex = secretVariants(token, { variants: { hex: false } });
    expect(noHex).not.toContain(Buffer.from(token).toString('hex'));
    expect(noHex).toContain(encodeURIComponent(token));
    expect(secretVariants('ab')).toEqual(['ab']); // listed itself, no form shorter than 6
    expect(secretVariants('abcd').every((form) => form === 'abcd' || form.length >= 6)).toBe(true);
    expect(secretVariants('abcd', { minLength: 20 })).toEqual(['abcd']);
    expect(secretVariants('')).toEqual([]);
  });

  it('leaves out forms that are not valid UTF-8, and lists the encodings of binary secrets', () => {
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x41, 0x42, 0x43, 0x44]);
    const forms = secretVariants(binary);
    expect(forms).not.toContain(Buffer.from(binary).toString('latin1'));
    expect(forms).toContain(Buffer.from(binary).toString('hex'));
  });

  it('refuses unknown options and wrong values without showing the secret', () => {
    for (const options of [{ minLength: 0 }, { variants: { nope: true } }, { extra: 1 }]) {
      try {
        secretVariants(token, options as never);
        expect.unreachable();
      } catch (error) {
        expect(isRedactorError(error) && error.code).toBe('INVALID_OPTIONS');
        expect(String((error as Error).message)).not.toContain(token);
      }
    }
  });
});
