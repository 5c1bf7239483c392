import fc from 'fast-check';

/** One generated way of printing a secret. */
export interface FuzzCase {
  secret: string;
  encoding: 'raw' | 'base64' | 'base64url' | 'hex' | 'HEX' | 'url' | 'form' | 'json' | 'json-ascii';
  /** Bytes before the secret in the base64 blob (0, 1 or 2). */
  alignment: number;
  prefix: string;
  suffix: string;
  /** How many times a raw secret is printed, joined by `separator`. */
  repeat: number;
  separator: string;
  /** Write sizes, used in turn. */
  chunks: number[];
  stream: 'stdout' | 'stderr';
  /** Whether the emitter pauses after the first write (one case in twenty) so that chunk boundary survives the pipe. */
  pause: boolean;
}

// No quote the dotenv writer needs, no newline, no marker characters.
const secretChars = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...' !"#$%&()*+,-./:;=?@[\\]^_{|}~',
  'é',
  '€',
  'ß',
  '\u2028',
  '😀',
];
const fillerChars = [...'abcxyz0123 .,:;=+-_/', 'é'];

const secretArbitrary = fc
  .array(fc.constantFrom(...secretChars), { minLength: 6, maxLength: 48 })
  .map((chars) => chars.join(''))
  // A secret made of one repeated character redacts its own neighbours; keep them varied.
  // dotenv cannot hold a quoted value that ends in a backslash (it reads the closing quote as escaped).
  .filter((secret) => new Set(secret).size >= 3 && !secret.endsWith('\\'));
const filler = fc
  .array(fc.constantFrom(...fillerChars), { maxLength: 12 })
  .map((chars) => chars.join(''));

/** fast-check arbitrary of {@link FuzzCase}. */
export const fuzzCaseArbitrary: fc.Arbitrary<FuzzCase> = fc.record({
  secret: secretArbitrary,
  encoding: fc.constantFrom(
    'raw',
    'base64',
    'base64url',
    'hex',
    'HEX',
    'url',
    'form',
    'json',
    'json-ascii',
  ),
  alignment: fc.integer({ min: 0, max: 2 }),
  prefix: filler,
  suffix: filler,
  repeat: fc.integer({ min: 1, max: 4 }),
  separator: fc.constantFrom('', ' ', '\n', ','),
  chunks: fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 300 })), {
    minLength: 1,
    maxLength: 6,
  }),
  stream: fc.constantFrom('stdout', 'stderr'),
  pause: fc.integer({ min: 0, max: 19 }).map((draw) => draw === 0),
});

/** Total fuzz cases to run: `IRONRUN_FUZZ_RUNS`, else 100 000 (the CI amount). */
export function fuzzRuns(): number {
  const value = Number(process.env.IRONRUN_FUZZ_RUNS ?? '');
  return Number.isSafeInteger(value) && value > 0 ? value : 100_000;
}
