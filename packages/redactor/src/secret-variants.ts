import { edgeAfter, edgeBefore } from './match-tag.js';
import { RedactorError } from './redactor-error.js';
import {
  checkMinLength,
  checkOptionNames,
  enabledKinds,
  type VariantKind,
  type VariantsOption,
} from './variant-kind.js';

/** One byte sequence to look for, and the form of the secret it stands for. */
export interface SecretVariant {
  kind: VariantKind;
  bytes: Uint8Array;
  /**
   * {@link edgeBefore} and {@link edgeAfter} bits: whether the base64 character
   * just before or after the fragment carries bits of the secret.
   */
  edges: number;
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64UrlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Options of {@link secretVariants}: the same meaning as in `createRedactor`. */
export interface SecretVariantsOptions {
  /**
   * Encoded forms and lines shorter than this many bytes are not listed.
   * @default 6
   */
  minLength?: number;
  /**
   * Which forms to list besides the secret itself: `'all'`, `'raw'`, or an
   * object switching kinds off (`{ hex: false }`).
   * @default 'all'
   */
  variants?: VariantsOption;
}

const variantOptionNames = new Set(['minLength', 'variants']);

/**
 * The forms of one secret that a redactor built with the same options looks
 * for, as strings: the secret itself first, then each line of a multi-line
 * secret, its JSON-escaped, XML-escaped, URL-encoded and hex forms, and its base64 and
 * base64url fragments at the three byte alignments. Distinct, in that order.
 * For hosts that must register every form elsewhere, such as a CI runner's
 * log masking.
 *
 * Not listed, because no fixed string expresses them: a form that is not valid
 * UTF-8 (the secret's own bytes, when they are not); an encoded form wrapped
 * over lines (the redactor matches it across line breaks, a list of strings
 * cannot); and the base64 character at each edge of a fragment that also
 * depends on the neighbouring bytes (the redactor takes it in, a mask cannot).
 * The secret itself is listed whatever its length; a redactor would refuse a
 * secret shorter than `minLength`.
 *
 * @throws {RedactorError} `INVALID_OPTIONS` for a wrong option. The message never contains the secret.
 *
 * @example
 * ```ts
 * import { secretVariants } from '@ironrun/redactor';
 *
 * secretVariants('hunter2-correct-horse');
 * // ['hunter2-correct-horse', 'hunter2%2Dcorrect...', '68756e746572322d...', 'aHVudGVyMi1jb3JyZWN0LWhvcnNl', ...]
 * for (const form of secretVariants(token)) core.setSecret(form); // GitHub Actions
 * ```
 */
export function secretVariants(
  secret: string | Uint8Array,
  options: SecretVariantsOptions = {},
): string[] {
  checkOptionNames(options, 'secretVariants()', variantOptionNames, 'minLength or variants');
  const minLength = checkMinLength(options.minLength);
  const enabled = enabledKinds(options.variants);
  let bytes: Uint8Array;
  if (typeof secret === 'string') bytes = encoder.encode(secret);
  else if (secret instanceof Uint8Array) bytes = secret;
  else throw new RedactorError('INVALID_OPTIONS', 'The secret must be a string or a Uint8Array.');
  if (bytes.length === 0) return [];
  const out = new Set<string>();
  for (const variant of expandSecret(bytes, enabled, minLength)) {
    try {
      out.add(strictDecoder.decode(variant.bytes));
    } catch {
      // Not UTF-8: no string stands for these bytes.
    }
  }
  return [...out];
}

/**
 * Every form of `secret` to look for, for the kinds enabled, raw first. A form
 * shorter than `minLength` is left out: it would match ordinary text and carries
 * too little of the secret to matter. Forms are not deduplicated here.
 */
export function expandSecret(
  secret: Uint8Array,
  enabled: ReadonlySet<VariantKind>,
  minLength: number,
): SecretVariant[] {
  const out: SecretVariant[] = [{ kind: 'raw', bytes: secret, edges: 0 }];
  const add = (kind: VariantKind, bytes: Uint8Array, edges = 0) => {
    if (bytes.length >= minLength) out.push({ kind, bytes, edges });
  };
  if (enabled.has('line')) for (const line of secretLines(secret)) add('line', line);
  if (enabled.has('json')) {
    for (const escaped of jsonEscapes(secret)) add('json', escaped);
    // Six bytes per character: long enough whatever the secret, so only for a secret that is.
    if (secret.length >= minLength) {
      for (const escaped of jsonUnicodeEscapes(secret)) add('json', escaped);
    }
  }
  if (enabled.has('xml')) for (const escaped of xmlEscapes(secret)) add('xml', escaped);
  if (enabled.has('url')) for (const encoded of percentEncodings(secret)) add('url', encoded);
  if (enabled.has('hex')) {
    add('hex', hex(secret, false));
    add('hex', hex(secret, true));
  }
  for (const alignment of [0, 1, 2]) {
    const edges = base64Edges(secret.length, alignment);
    if (enabled.has('base64')) {
      add('base64', base64Fragment(secret, alignment, base64Alphabet), edges);
    }
    if (enabled.has('base64url')) {
      add('base64url', base64Fragment(secret, alignment, base64UrlAlphabet), edges);
    }
  }
  return out;
}

/**
 * Which edges of {@link base64Fragment}'s output have a character outside it
 * that mixes bits of the secret with bits of its neighbours (or padding).
 */
export function base64Edges(length: number, alignment: number): number {
  const firstBit = alignment * 8;
  const endBit = firstBit + length * 8;
  return (firstBit % 6 !== 0 ? edgeBefore : 0) | (endBit % 6 !== 0 ? edgeAfter : 0);
}

/**
 * The base64 characters that depend on `secret` alone when it starts `alignment`
 * bytes into a 3-byte group of a larger encoded blob. Characters that mix in
 * bits of the neighbouring bytes are dropped, so the fragment is found whatever
 * surrounds the secret.
 */
export function base64Fragment(
  secret: Uint8Array,
  alignment: number,
  alphabet: string,
): Uint8Array {
  const firstBit = alignment * 8;
  const endBit = firstBit + secret.length * 8;
  const firstChar = Math.ceil(firstBit / 6);
  const endChar = Math.floor(endBit / 6);
  const out = new Uint8Array(Math.max(0, endChar - firstChar));
  for (let char = firstChar; char < endChar; char++) {
    let value = 0;
    for (let bit = char * 6; bit < char * 6 + 6; bit++) {
      const byte = secret[(bit >> 3) - alignment] ?? 0;
      value = (value << 1) | ((byte >> (7 - (bit & 7))) & 1);
    }
    out[char - firstChar] = alphabet.charCodeAt(value);
  }
  return out;
}

function hex(bytes: Uint8Array, upper: boolean): Uint8Array {
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    out[2 * i] = digits.charCodeAt(byte >> 4);
    out[2 * i + 1] = digits.charCodeAt(byte & 15);
  }
  return out;
}

/** Lines of a multi-line secret, `\r` and surrounding spaces and tabs removed. */
function secretLines(secret: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= secret.length; i++) {
    if (i < secret.length && secret[i] !== 0x0a && secret[i] !== 0x0d) continue;
    let from = start;
    let to = i;
    while (from < to && (secret[from] === 0x20 || secret[from] === 0x09)) from++;
    while (to > from && (secret[to - 1] === 0x20 || secret[to - 1] === 0x09)) to--;
    if (to > from && to - from < secret.length) lines.push(secret.subarray(from, to));
    start = i + 1;
  }
  return lines;
}

const rfc3986Unreserved = '-._~';
const uriComponentUnreserved = "-._~!'()*";
const formUnreserved = '-._*';

/**
 * Percent-encodings as common encoders write them: RFC 3986 (`%20` for space),
 * `encodeURIComponent`, and `application/x-www-form-urlencoded` (`+` for
 * space), each with upper-case and lower-case hex digits.
 */
function percentEncodings(secret: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [keep, spaceAsPlus] of [
    [rfc3986Unreserved, false],
    [uriComponentUnreserved, false],
    [formUnreserved, true],
    [rfc3986Unreserved, true],
  ] as const) {
    for (const upper of [true, false]) out.push(percentEncode(secret, keep, spaceAsPlus, upper));
  }
  return out;
}

function percentEncode(
  bytes: Uint8Array,
  keep: string,
  spaceAsPlus: boolean,
  upper: boolean,
): Uint8Array {
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let text = '';
  for (const byte of bytes) {
    const isAlphanumeric =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a);
    if (isAlphanumeric || (byte < 0x80 && keep.includes(String.fromCharCode(byte)))) {
      text += String.fromCharCode(byte);
    } else if (byte === 0x20 && spaceAsPlus) {
      text += '+';
    } else {
      text += `%${digits[byte >> 4]}${digits[byte & 15]}`;
    }
  }
  return encoder.encode(text);
}

const shortEscapes: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
const goHtmlEscapes = '<>&\u2028\u2029';
const dotnetHtmlEscapes = "<>&'+`";

/**
 * The secret as it appears inside a JSON string, for the flavours of escaping
 * common encoders use: `JSON.stringify`; `\/` for `/` (PHP); `\uXXXX` for every
 * non-ASCII character (Python's default); HTML-safe escapes (Go, .NET); with
 * lower- or upper-case hex. A secret that is not valid UTF-8 has no JSON form.
 */
function jsonEscapes(secret: Uint8Array): Uint8Array[] {
  let text: string;
  try {
    text = strictDecoder.decode(secret);
  } catch {
    return [];
  }
  // Only vary an option when the secret has a character it changes; the rest would be duplicates.
  const hasSlash = text.includes('/');
  const hasNonAscii = /[^\x00-\x7e]/.test(text);
  const hasHtml = [...dotnetHtmlEscapes, ...goHtmlEscapes].some((char) => text.includes(char));
  const out: Uint8Array[] = [];
  for (const slash of hasSlash ? [false, true] : [false]) {
    for (const nonAscii of hasNonAscii ? [false, true] : [false]) {
      for (const html of hasHtml ? ['', goHtmlEscapes, dotnetHtmlEscapes] : ['']) {
        for (const upper of [false, true]) {
          out.push(encoder.encode(jsonEscape(text, slash, nonAscii, html, upper)));
        }
      }
    }
  }
  return out;
}

/**
 * The secret inside a JSON string with every character written `\uXXXX` (an
 * obfuscation some tools and encoders use), in both hex cases. None for a
 * secret that is not UTF-8.
 */
function jsonUnicodeEscapes(secret: Uint8Array): Uint8Array[] {
  let text: string;
  try {
    text = strictDecoder.decode(secret);
  } catch {
    return [];
  }
  return [false, true].map((upper) => {
    let escaped = '';
    for (let i = 0; i < text.length; i++) {
      const digits = text.charCodeAt(i).toString(16).padStart(4, '0');
      escaped += `\\u${upper ? digits.toUpperCase() : digits}`;
    }
    return encoder.encode(escaped);
  });
}

/** The characters XML and HTML escapers replace, in `xmlSchemes` order. */
const xmlSpecials = [0x26, 0x3c, 0x3e, 0x22, 0x27]; // & < > " '

/**
 * How common escapers write `& < > " '` (`null`: left as it is):
 * XML (GitHub's log masking, .NET), HTML with `&#39;` (lodash, PHP), Python's
 * `html.escape`, Go's `html.EscapeString`, XML text content (quotes kept), and
 * all numeric: decimal, lower- and upper-case hex.
 */
const xmlSchemes: readonly (readonly (string | null)[])[] = [
  ['&amp;', '&lt;', '&gt;', '&quot;', '&apos;'],
  ['&amp;', '&lt;', '&gt;', '&quot;', '&#39;'],
  ['&amp;', '&lt;', '&gt;', '&quot;', '&#039;'],
  ['&amp;', '&lt;', '&gt;', '&quot;', '&#x27;'],
  ['&amp;', '&lt;', '&gt;', '&#34;', '&#39;'],
  ['&amp;', '&lt;', '&gt;', null, null],
  ['&#38;', '&#60;', '&#62;', '&#34;', '&#39;'],
  ['&#x26;', '&#x3c;', '&#x3e;', '&#x22;', '&#x27;'],
  ['&#x26;', '&#x3C;', '&#x3E;', '&#x22;', '&#x27;'],
];

/**
 * The secret with its `& < > " '` written as XML or HTML entities, as each
 * scheme in {@link xmlSchemes} writes them. None when it has none of them (the
 * form would be the secret itself).
 */
function xmlEscapes(secret: Uint8Array): Uint8Array[] {
  if (!secret.some((byte) => xmlSpecials.includes(byte))) return [];
  return xmlSchemes.map((scheme) => {
    const parts: number[] = [];
    for (const byte of secret) {
      const entity = scheme[xmlSpecials.indexOf(byte)];
      if (entity === undefined || entity === null) parts.push(byte);
      else for (let k = 0; k < entity.length; k++) parts.push(entity.charCodeAt(k));
    }
    return Uint8Array.from(parts);
  });
}

function jsonEscape(
  text: string,
  slash: boolean,
  nonAscii: boolean,
  html: string,
  upper: boolean,
): string {
  const unicode = (code: number) => {
    const digits = code.toString(16).padStart(4, '0');
    return `\\u${upper ? digits.toUpperCase() : digits}`;
  };
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const code = text.charCodeAt(i);
    const short = shortEscapes[char];
    if (short !== undefined) out += short;
    else if (code < 0x20 || (nonAscii && code > 0x7e) || html.includes(char)) out += unicode(code);
    else if (slash && char === '/') out += '\\/';
    else out += char;
  }
  return out;
}
