import { didYouMean } from './did-you-mean.js';

/** The reference schemes of the built-in providers, and the provider that claims each. */
export const builtinSchemes: Readonly<Record<string, string>> = Object.freeze({
  op: '1password',
  doppler: 'doppler',
  infisical: 'infisical',
  envfile: 'envfile',
});

/** A URI scheme name: a letter, then letters, digits, `+`, `.` or `-`. */
export const schemeNamePattern = /^[A-Za-z][A-Za-z0-9+.-]{0,63}$/;

/** The longest reference accepted. */
export const maxReferenceLength = 1024;

const looksLikeReference = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const segment = '[^/?#]+';
const opQuery = '(?:\\?[A-Za-z0-9_-]+=[A-Za-z0-9_-]+(?:&[A-Za-z0-9_-]+=[A-Za-z0-9_-]+)*)?';
const slug = '[A-Za-z0-9][A-Za-z0-9_.-]*';

const builtinShapes: Readonly<Record<string, { pattern: RegExp; expected: string }>> = {
  op: {
    pattern: new RegExp(`^op://${segment}/${segment}(?:/${segment})?/${segment}${opQuery}$`),
    expected: 'op://vault/item/field or op://vault/item/section/field',
  },
  doppler: {
    pattern: new RegExp(`^doppler://(?:${slug}/${slug}/)?[A-Za-z_][A-Za-z0-9_]*$`),
    expected: 'doppler://NAME or doppler://project/config/NAME',
  },
  infisical: {
    pattern:
      /^infisical:\/\/(?:\/(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*)?[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
    expected: 'infisical://NAME or infisical:///path/to/NAME',
  },
  envfile: {
    pattern: /^envfile:\/\/[A-Za-z_][A-Za-z0-9_.-]*$/,
    expected: 'envfile://NAME',
  },
};

/** How an `env` value reads: a literal, a secret reference, or a mistake. */
export type ValueReading =
  | { kind: 'literal' }
  | { kind: 'secret'; scheme: string }
  | { kind: 'error'; code: 'UNKNOWN_SCHEME' | 'INVALID_REFERENCE'; reason: string };

/**
 * Reads an `env` value: `scheme://…` of a known scheme is a secret reference
 * (built-in shapes checked offline), of an unknown scheme an error; a plain
 * value is a literal. Reasons never repeat the value itself, since a value
 * may be a secret pasted by mistake.
 */
export function readEnvValue(value: string, extraSchemes: readonly string[]): ValueReading {
  const known = [...Object.keys(builtinSchemes), ...extraSchemes];
  const match = looksLikeReference.exec(value);
  if (match === null) {
    const malformed = known.find((scheme) => value.startsWith(`${scheme}:`));
    if (malformed !== undefined) {
      return {
        kind: 'error',
        code: 'INVALID_REFERENCE',
        reason: `looks like a reference but lacks the "//": write ${malformed}://…`,
      };
    }
    return { kind: 'literal' };
  }
  const scheme = match[1]!;
  if (!known.includes(scheme)) {
    const hint = didYouMean(scheme, known);
    const shown = scheme.length > 32 ? `${scheme.slice(0, 32)}…` : scheme;
    return {
      kind: 'error',
      code: 'UNKNOWN_SCHEME',
      reason:
        `no provider claims the reference scheme "${shown}://"` +
        (hint === undefined ? '' : `; did you mean "${hint}://"?`) +
        ` (known: ${known.map((name) => `${name}://`).join(', ')}).` +
        ' To pass the text as a plain value, write it as { literal: "…" }',
    };
  }
  if (value.length > maxReferenceLength) {
    return {
      kind: 'error',
      code: 'INVALID_REFERENCE',
      reason: `a reference is at most ${maxReferenceLength} characters`,
    };
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    return {
      kind: 'error',
      code: 'INVALID_REFERENCE',
      reason: 'a reference may not contain control characters',
    };
  }
  const shape = builtinShapes[scheme];
  if (shape !== undefined && !shape.pattern.test(value)) {
    return {
      kind: 'error',
      code: 'INVALID_REFERENCE',
      reason: `malformed ${scheme} reference; expected ${shape.expected}`,
    };
  }
  if (shape === undefined && value.length === scheme.length + 3) {
    return {
      kind: 'error',
      code: 'INVALID_REFERENCE',
      reason: `empty ${scheme} reference; expected ${scheme}://…`,
    };
  }
  return { kind: 'secret', scheme };
}
