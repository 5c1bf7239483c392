import { didYouMean } from './did-you-mean.js';
import type { ProviderReferenceMap } from './policy.js';

/** A URI scheme name: a letter, then letters, digits, `+`, `.` or `-`. */
export const schemeNamePattern = /^[A-Za-z][A-Za-z0-9+.-]{0,63}$/;

/** The longest reference accepted. */
export const maxReferenceLength = 1024;

const looksLikeReference = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** One scheme a validation knows: the provider that declares it and its syntax, if declared. */
interface KnownScheme {
  provider: string | undefined;
  pattern: RegExp | undefined;
  expected: string | undefined;
}

/**
 * The reference schemes one validation knows, compiled once from the
 * providers' declarations (plain data) and any extra scheme names.
 */
export interface ReferenceSchemes {
  readonly schemes: ReadonlyMap<string, KnownScheme>;
  /** The declarations they came from, by provider name. */
  readonly providers: ProviderReferenceMap;
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string, where: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${pattern})$`);
    } catch {
      throw new TypeError(`${where} is not a regular expression`);
    }
    if (compiled.size > 256) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * Compiles the declarations of `providers` and the extra `schemes` into the
 * {@link ReferenceSchemes} a validation checks references against. Throws a
 * `TypeError` for a declaration that is not well formed (a caller's bug).
 */
export function referenceSchemes(
  providers: ProviderReferenceMap,
  extra: readonly string[],
): ReferenceSchemes {
  const schemes = new Map<string, KnownScheme>();
  for (const [provider, declared] of Object.entries(providers)) {
    if (!Array.isArray(declared?.schemes)) {
      throw new TypeError(`options.providers.${provider}.schemes must be a list of scheme names`);
    }
    for (const scheme of declared.schemes) {
      if (typeof scheme !== 'string' || !schemeNamePattern.test(scheme)) {
        throw new TypeError(
          `options.providers.${provider}.schemes must hold scheme names such as "vault" (a letter, then letters, digits, +, . or -)`,
        );
      }
      if (schemes.has(scheme)) continue;
      const syntax = Object.hasOwn(declared.references ?? {}, scheme)
        ? declared.references?.[scheme]
        : undefined;
      schemes.set(scheme, {
        provider,
        pattern:
          syntax === undefined
            ? undefined
            : compile(syntax.pattern, `options.providers.${provider}.references.${scheme}.pattern`),
        expected: syntax?.expected,
      });
    }
  }
  for (const scheme of extra) {
    if (typeof scheme !== 'string' || !schemeNamePattern.test(scheme)) {
      throw new TypeError(
        'options.schemes must hold scheme names such as "vault" (a letter, then letters, digits, +, . or -)',
      );
    }
    if (!schemes.has(scheme)) {
      schemes.set(scheme, { provider: undefined, pattern: undefined, expected: undefined });
    }
  }
  return { schemes, providers };
}

/**
 * The provider that resolves `scheme` references instead of the policy's
 * own, when the policy's provider is declared, does not claim the scheme,
 * and another declared provider does; `undefined` otherwise.
 */
export function otherProviderOf(
  known: ReferenceSchemes,
  scheme: string,
  providerName: string | undefined,
): string | undefined {
  if (providerName === undefined || !Object.hasOwn(known.providers, providerName)) return undefined;
  if (known.providers[providerName]?.schemes.includes(scheme)) return undefined;
  const claimer = known.schemes.get(scheme)?.provider;
  return claimer === providerName ? undefined : claimer;
}

/** How an `env` value reads: a literal, a secret reference, or a mistake. */
export type ValueReading =
  | { kind: 'literal' }
  | { kind: 'secret'; scheme: string }
  | { kind: 'error'; code: 'UNKNOWN_SCHEME' | 'INVALID_REFERENCE'; reason: string };

/**
 * Reads an `env` value: `scheme://…` of a known scheme is a secret reference
 * (checked offline against the syntax its provider declares, once), of an
 * unknown scheme an error; a plain
 * value is a literal. Reasons never repeat the value itself, since a value
 * may be a secret pasted by mistake.
 */
export function readEnvValue(value: string, references: ReferenceSchemes): ValueReading {
  const known = [...references.schemes.keys()];
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
  const shape = references.schemes.get(scheme);
  if (shape?.pattern !== undefined && !shape.pattern.test(value)) {
    return {
      kind: 'error',
      code: 'INVALID_REFERENCE',
      reason: `malformed ${scheme} reference; expected ${shape.expected}`,
    };
  }
  if (shape?.pattern === undefined && value.length === scheme.length + 3) {
    return {
      kind: 'error',
      code: 'INVALID_REFERENCE',
      reason: `empty ${scheme} reference; expected ${scheme}://…`,
    };
  }
  return { kind: 'secret', scheme };
}
