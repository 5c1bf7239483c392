/** Why a reviewed string was flagged. */
export type ReviewFlag = 'control' | 'bidi' | 'invisible' | 'non-ascii';

/** A string as the review shows it: every character that could hide or rewrite text escaped. */
export interface ReviewText {
  /** The text with `\` as `\\`, newline, tab and CR as `\n`, `\t`, `\r`, and every other risky character as `\u{hex}`. */
  text: string;
  /** What the original held: a name with any flag may look like another; show it marked. */
  flags: ReviewFlag[];
}

const bidi = /\p{Bidi_Control}/u;
const control = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const invisible = /[\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}\p{Zs}\p{M}]/u;
const named: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/**
 * Escapes `raw` for a terminal review so that what a person reads is what
 * the string is: control characters (terminal escapes), line separators,
 * bidirectional controls, zero-width and other default-ignorable or
 * unassigned characters, spaces other than U+0020 and combining marks
 * become visible escapes, and `\` itself is doubled, so the escaping is
 * injective: two different strings never escape to the same text. Letters
 * outside ASCII are kept but flagged `non-ascii` (they can look like ASCII).
 *
 * @example
 * escapeForReview('deploy\u202e.sh') // { text: 'deploy\\u{202e}.sh', flags: ['bidi'] }
 */
export function escapeForReview(raw: string): ReviewText {
  const flags = new Set<ReviewFlag>();
  let text = '';
  for (const char of raw) {
    if (char === '\\') {
      text += '\\\\';
      continue;
    }
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) {
      text += char;
      continue;
    }
    if (bidi.test(char)) flags.add('bidi');
    else if (control.test(char)) flags.add('control');
    else if (invisible.test(char)) flags.add('invisible');
    else {
      flags.add('non-ascii');
      text += char;
      continue;
    }
    text += named[char] ?? `\\u{${code.toString(16)}}`;
  }
  return { text, flags: [...flags].sort() };
}

/**
 * The inverse of {@link escapeForReview}'s `text`: used by tests to prove the
 * escaping injective, and by anyone who needs the original back.
 */
export function unescapeReviewText(text: string): string {
  return text.replace(/\\(?:\\|n|t|r|u\{([0-9a-f]+)\})/g, (match, hex: string | undefined) => {
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    return match === '\\\\' ? '\\' : match === '\\n' ? '\n' : match === '\\t' ? '\t' : '\r';
  });
}
