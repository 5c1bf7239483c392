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
 *   optional escapes other encoders use: `\/`, `\u` for non-ASCII, HTML-safe escapes).
 * - `line`: each line of a multi-line secret (a PEM key), trimmed, on its own.
 */
export type VariantKind = 'raw' | 'base64' | 'base64url' | 'hex' | 'url' | 'json' | 'line';

/** Every {@link VariantKind}, in the order patterns are registered (the first kind wins a tie). */
export const variantKinds: readonly VariantKind[] = [
  'raw',
  'line',
  'json',
  'url',
  'hex',
  'base64',
  'base64url',
];
