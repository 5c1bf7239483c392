import { RedactorError } from './redactor-error.js';

/**
 * The forms in which a secret is looked for.
 *
 * - `raw`: the bytes of the secret (UTF-8 for a string).
 * - `base64`: standard base64 at each of the three byte alignments, so the secret is found
 *   inside a larger base64 blob; only the characters that depend on the secret alone.
 * - `base64url`: the same with the URL-safe alphabet (`-` and `_`).
 * - `hex`: lower-case and upper-case hexadecimal.
 * - `url`: percent-encoded (RFC 3986, `encodeURIComponent` and form encoding; `%xx` in either case).
 * - `json`: escaped as inside a JSON string (as `JSON.stringify` writes it, and with the
 *   optional escapes other encoders use: `\/`, `\u` for non-ASCII, HTML-safe escapes), and
 *   with every character `\u`-escaped.
 * - `xml`: with `&`, `<`, `>`, `"` and `'` written as XML or HTML entities, named (`&amp;`) or
 *   numeric (`&#38;`, `&#x26;`), as common escapers write them.
 * - `line`: each line of a multi-line secret (a PEM key), trimmed, on its own.
 */
export type VariantKind = 'raw' | 'base64' | 'base64url' | 'hex' | 'url' | 'json' | 'line' | 'xml';

/** Every {@link VariantKind}, in the order patterns are registered (the first kind wins a tie). */
export const variantKinds: readonly VariantKind[] = [
  'raw',
  'line',
  'json',
  'url',
  'hex',
  'base64',
  'base64url',
  'xml',
];

/** What the `variants` option takes: `'all'`, `'raw'`, or kinds switched on or off. */
export type VariantsOption = Partial<Record<VariantKind, boolean>> | 'all' | 'raw';

/**
 * Checks that `options` is an object naming only the options in `names`.
 * Throws `INVALID_OPTIONS`, naming `caller` or the unknown option and listing
 * the expected ones (`expected`).
 */
export function checkOptionNames(
  options: unknown,
  caller: string,
  names: ReadonlySet<string>,
  expected: string,
): void {
  if (typeof options !== 'object' || options === null) {
    throw new RedactorError('INVALID_OPTIONS', `${caller} expects an options object.`);
  }
  for (const name of Object.keys(options)) {
    if (!names.has(name)) {
      throw new RedactorError('INVALID_OPTIONS', `Unknown option '${name}'. Expected ${expected}.`);
    }
  }
}

/** The `minLength` option, checked. Throws `INVALID_OPTIONS` for a wrong value. */
export function checkMinLength(minLength: unknown): number {
  const value = minLength ?? 6;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RedactorError('INVALID_OPTIONS', 'minLength must be a whole number of at least 1.');
  }
  return value;
}

/** The kinds a `variants` option switches on. Throws `INVALID_OPTIONS` for a wrong value. */
export function enabledKinds(variants: VariantsOption | undefined): Set<VariantKind> {
  if (variants === undefined || variants === 'all') return new Set(variantKinds);
  if (variants === 'raw') return new Set<VariantKind>(['raw']);
  if (typeof variants !== 'object' || variants === null) {
    throw new RedactorError(
      'INVALID_OPTIONS',
      "variants must be 'all', 'raw', or an object such as { hex: false }.",
    );
  }
  const enabled = new Set(variantKinds);
  for (const [kind, on] of Object.entries(variants)) {
    if (!variantKinds.includes(kind as VariantKind)) {
      throw new RedactorError(
        'INVALID_OPTIONS',
        `Unknown variant '${kind}'. Expected one of: ${variantKinds.join(', ')}.`,
      );
    }
    if (typeof on !== 'boolean') {
      throw new RedactorError('INVALID_OPTIONS', `variants.${kind} must be true or false.`);
    }
    if (kind === 'raw' && !on) {
      throw new RedactorError(
        'INVALID_OPTIONS',
        'variants.raw cannot be false: a secret is always matched as it is.',
      );
    }
    if (!on) enabled.delete(kind as VariantKind);
  }
  return enabled;
}
