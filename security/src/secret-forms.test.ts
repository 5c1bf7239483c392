import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Core, leakScanner, secretForms } from './secret-forms.js';

const secret = `sk_live_${randomBytes(16).toString('hex')}`;

describe('secretForms', () => {
  it('finds the base64 core of a secret at every alignment inside a larger blob', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5 }),
        fc.uint8Array({ maxLength: 5 }),
        (before, after) => {
          const blob = Buffer.concat([before, Buffer.from(secret), after]);
          const core = base64Core(Buffer.from(secret), before.length % 3, false);
          expect(blob.toString('base64')).toContain(core);
          expect(blob.toString('base64url')).toContain(
            base64Core(Buffer.from(secret), before.length % 3, true),
          );
        },
      ),
    );
  });

  it('lists the lines of a multi-line secret and the escapes of special characters', () => {
    const kinds = secretForms('line one here\nline two here "q" \\ é').map((form) => form.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['raw', 'line', 'json', 'json-ascii', 'url', 'hex']),
    );
  });
});

describe('leakScanner', () => {
  const scanner = leakScanner([{ name: 'TOKEN', value: secret }]);

  it('names the form it found, never the value', () => {
    const found = scanner.scan(`x ${Buffer.from(`ab${secret}`).toString('base64')} y`);
    expect(found).toEqual(['TOKEN as base64@2']);
    expect(found.join('')).not.toContain(secret);
  });

  it('finds an encoded secret wrapped over several lines', () => {
    const wrapped = Buffer.from(secret)
      .toString('hex')
      .replace(/(.{20})/g, '$1\n');
    expect(scanner.scan(wrapped)).toEqual(['TOKEN as hex (wrapped over lines)']);
  });

  it('finds a raw fragment of a long secret', () => {
    expect(scanner.scan(`…${secret.slice(3, 3 + 16)}…`)).toEqual(['TOKEN as fragment']);
  });

  it('finds nothing in redacted output', () => {
    expect(scanner.scan('token is [REDACTED]\n')).toEqual([]);
  });
});
