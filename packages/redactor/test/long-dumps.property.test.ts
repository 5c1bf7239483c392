import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/create-redactor.js';
import { buildPatternSet } from '../src/pattern-set.js';
import { variantKinds } from '../src/variant-kind.js';
import { cutAt, referencePatterns, referenceRedact, streamThrough } from './reference-redact.js';

const encoder = new TextEncoder();
const replacement = encoder.encode('[REDACTED]');

/**
 * Dumps long enough for the skipping search over runs without their line breaks: kilobytes
 * of encoded bytes wrapped at some column, with secrets inside, between lines of text.
 */
describe('createRedactor (long wrapped dumps)', () => {
  const secretBytes = fc.uint8Array({ minLength: 6, maxLength: 40 });
  const dump = (secrets: Uint8Array[]) =>
    fc
      .tuple(
        fc.array(
          fc.tuple(
            fc.uint8Array({ maxLength: 900 }),
            fc.nat(secrets.length),
            fc.uint8Array({ maxLength: 3 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.constantFrom<BufferEncoding>('base64', 'base64url', 'hex'),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('\n', '\r\n', '\r'),
      )
      .map(([parts, encoding, column, newline]) => {
        // Random bytes with a secret (or none, for the index past the end) after each part.
        const raw = Buffer.concat(
          parts.flatMap(([filler, index, pad]) => [
            filler,
            secrets[index] ?? new Uint8Array(0),
            pad,
          ]),
        );
        const encoded = raw.toString(encoding);
        return `${encoded.replace(new RegExp(`(.{${column}})`, 'g'), `$1${newline}`)}${newline}`;
      });

  it('matches the reference on dumps with secrets, in any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(secretBytes, { minLength: 1, maxLength: 3 }).chain((secrets) =>
          fc.tuple(
            fc.constant(secrets),
            fc.array(fc.oneof(dump(secrets), fc.constantFrom('log line\n', 'x', ' ')), {
              minLength: 1,
              maxLength: 4,
            }),
          ),
        ),
        fc.oneof(
          fc.array(fc.nat(20_000), { maxLength: 8 }),
          fc
            .constantFrom(300, 1024, 4096, 65_536)
            .map((size) => Array.from({ length: 40 }, (_, i) => i * size)),
        ),
        ([secrets, pieces], cuts) => {
          const input = encoder.encode(pieces.join(''));
          let redactor: ReturnType<typeof createRedactor>;
          try {
            redactor = createRedactor({ secrets });
          } catch {
            fc.pre(false); // a random secret inside "[REDACTED]"
            return;
          }
          const set = buildPatternSet(
            secrets.map((bytes, index) => ({ index, bytes })),
            new Set(variantKinds),
            6,
          );
          const expected = Buffer.from(referenceRedact(input, referencePatterns(set), replacement));
          const streamed = Buffer.from(streamThrough(redactor.createStream(), cutAt(input, cuts)));
          // Compare without printing either: they may hold a secret's form.
          expect(streamed.equals(expected)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * Inside a long run the search over the run's copy stands in for the main search: it must
 * still find the forms without a line break, the secrets that are themselves made of encoded
 * characters (letters and digits, found by the matcher's `inRun` search), and the edges that
 * reach the run's `=` padding.
 */
describe('createRedactor (secrets written inside long runs)', () => {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const alnumSecret = fc
    .array(fc.constantFrom(...alnum), { minLength: 8, maxLength: 40 })
    .map((chars) => chars.join(''));

  it('matches the reference, in any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(alnumSecret, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.tuple(
            fc.uint8Array({ minLength: 200, maxLength: 1500 }),
            fc.nat(5),
            fc.nat(3000),
            fc.constantFrom<BufferEncoding>('base64', 'hex'),
            fc.integer({ min: 40, max: 100 }),
            fc.constantFrom('', '=', '=='),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.oneof(
          fc.array(fc.nat(20_000), { maxLength: 8 }),
          fc
            .constantFrom(1024, 4096, 65_536)
            .map((size) => Array.from({ length: 40 }, (_, i) => i * size)),
        ),
        (secrets, runs, cuts) => {
          const pieces = runs.map(([filler, which, at, encoding, column, pad]) => {
            let text = Buffer.from(filler).toString(encoding).replace(/=+$/, '');
            const secret = secrets[which];
            const encoded =
              which % 2 === 0 || secret === undefined
                ? secret
                : Buffer.from(secret).toString(encoding).replace(/=+$/, '');
            if (encoded !== undefined) {
              // The secret (or a form of it) on one line, inside the run or at its end.
              const offset = Math.min(at, text.length);
              text = `${text.slice(0, offset)}${encoded}${text.slice(offset)}`;
            }
            const lines = text.replace(new RegExp(`(.{${column}})`, 'g'), '$1\n');
            return `log line ${which}\n${lines}${pad}\n`;
          });
          const input = encoder.encode(pieces.join(''));
          let redactor: ReturnType<typeof createRedactor>;
          try {
            redactor = createRedactor({ secrets });
          } catch {
            fc.pre(false);
            return;
          }
          const set = buildPatternSet(
            secrets.map((secret, index) => ({ index, bytes: encoder.encode(secret) })),
            new Set(variantKinds),
            6,
          );
          const expected = Buffer.from(referenceRedact(input, referencePatterns(set), replacement));
          const streamed = Buffer.from(streamThrough(redactor.createStream(), cutAt(input, cuts)));
          // Compare without printing either: they may hold a secret's form.
          expect(streamed.equals(expected)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
