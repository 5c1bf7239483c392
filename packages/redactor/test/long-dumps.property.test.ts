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

/**
 * Inside the longest stretch of a run that holds hex digits only, the run's copy is searched
 * for the forms made of hex digits alone (8-digit blocks), and the main search leaves the
 * stretch to it. These dumps put every kind of form at every character offset of such a
 * stretch (both nibble alignments of a hex form), in lower, upper and mixed-case dumps, right
 * against the stretch's ends (a word of other letters, `+`, `/`, `g`, before or after it on the
 * same line or across one line break), and secrets that are themselves hex digits, or letters
 * that are not, after hundreds of hex digits in the same run.
 */
describe('createRedactor (forms inside and at the edges of hex stretches)', () => {
  const hexDigits = '0123456789abcdef';
  const secret = fc.oneof(
    fc.uint8Array({ minLength: 6, maxLength: 30 }).map((bytes) => Buffer.from(bytes)),
    // A secret of hex digits: its raw form lies inside a hex dump like any stretch of it.
    fc
      .tuple(fc.array(fc.constantFrom(...hexDigits), { minLength: 8, maxLength: 40 }), fc.boolean())
      .map(([chars, upper]) => Buffer.from(upper ? chars.join('').toUpperCase() : chars.join(''))),
    // Letters and digits: most are not all hex digits, so they end a stretch.
    fc
      .array(fc.constantFrom(...'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ0123456789abcdef'), {
        minLength: 8,
        maxLength: 30,
      })
      .map((chars) => Buffer.from(chars.join(''))),
  );
  const form = (bytes: Buffer, kind: number) =>
    [
      bytes.toString('latin1'),
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      bytes.toString('base64').replace(/=+$/, ''),
    ][kind]!;
  const edge = fc.constantFrom('', 'key', 'g', 'zz+/', 'Z', 'log line ', 'x\n', 'deadbeef\n');

  it('matches the reference, in any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.record({
            filler: fc.uint8Array({ minLength: 150, maxLength: 1500 }),
            letters: fc.constantFrom('lower', 'upper', 'mixed'),
            inserts: fc.array(fc.tuple(fc.nat(2), fc.nat(3), fc.nat(3100)), { maxLength: 3 }),
            before: edge,
            after: edge,
            column: fc.integer({ min: 20, max: 100 }),
            newline: fc.constantFrom('\n', '\r\n'),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.oneof(
          fc.array(fc.nat(12_000), { maxLength: 8 }),
          fc
            .constantFrom(300, 1024, 4096, 65_536)
            .map((size) => Array.from({ length: 40 }, (_, i) => i * size)),
        ),
        (secrets, runs, cuts) => {
          const pieces = runs.map(
            ({ filler, letters, inserts, before, after, column, newline }) => {
              let text = Buffer.from(filler).toString('hex');
              if (letters === 'upper') text = text.toUpperCase();
              if (letters === 'mixed') {
                text = [...text]
                  .map((c, i) => (filler[i % filler.length]! & 1 ? c.toUpperCase() : c))
                  .join('');
              }
              for (const [which, kind, at] of inserts) {
                const bytes = secrets[which];
                if (bytes === undefined) continue;
                // Any character offset: odd and even, so a hex form sits at both nibble alignments.
                const offset = Math.min(at, text.length);
                text = `${text.slice(0, offset)}${form(bytes, kind)}${text.slice(offset)}`;
              }
              const lines = text.replace(new RegExp(`(.{${column}})`, 'g'), `$1${newline}`);
              return `${before}${lines}${after}${newline}`;
            },
          );
          const input = Buffer.from(pieces.join(''), 'latin1');
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
