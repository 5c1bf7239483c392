/**
 * The forms of a secret the attack suite looks for in everything an agent
 * could read. Written independently of `@ironrun/redactor` on purpose: the
 * suite must not trust the code it attacks to say what a leak looks like.
 */

/** One way a secret can appear in text. */
export interface SecretForm {
  /** What produced it: `raw`, `base64@1`, `hex`, `url`, `json`, `line`, `fragment`, … */
  kind: string;
  /** The text to look for. */
  text: string;
  /** Whether the form is also looked for with line breaks removed (encoders wrap long output). */
  wrapped: boolean;
}

/** A secret with the name used to report it (never its value). */
export interface NamedSecret {
  name: string;
  value: string;
}

/** Forms shorter than this are not looked for: they would match ordinary text. */
export const minFormLength = 6;
/** Raw fragments of this many characters are looked for in secrets of at least {@link fragmentFrom} characters. */
export const fragmentLength = 16;
export const fragmentFrom = 24;

/**
 * The characters of base64(secret) that depend on the secret alone when it
 * starts `alignment` bytes into a 3-byte group, whatever surrounds it.
 */
export function base64Core(secret: Uint8Array, alignment: number, url: boolean): string {
  const padded = Buffer.concat([Buffer.alloc(alignment), Buffer.from(secret), Buffer.alloc(3)]);
  const encoded = padded.toString(url ? 'base64url' : 'base64');
  const first = Math.ceil((alignment * 8) / 6);
  const end = Math.floor(((alignment + secret.length) * 8) / 6);
  return encoded.slice(first, end);
}

function asciiJson(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

/**
 * Every form of `secret` the product promises to redact, plus raw fragments and
 * PEM-style lines. The raw value is always listed, however short; encoded forms
 * shorter than {@link minFormLength} are not.
 */
export function secretForms(secret: string): SecretForm[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: SecretForm[] = [];
  const seen = new Set<string>();
  const add = (kind: string, text: string, wrapped = false) => {
    if ((kind !== 'raw' && text.length < minFormLength) || seen.has(text)) return;
    seen.add(text);
    forms.push({ kind, text, wrapped });
  };
  add('raw', secret);
  for (const alignment of [0, 1, 2]) {
    add(`base64@${alignment}`, base64Core(bytes, alignment, false), true);
    add(`base64url@${alignment}`, base64Core(bytes, alignment, true), true);
  }
  add('hex', bytes.toString('hex'), true);
  add('HEX', bytes.toString('hex').toUpperCase(), true);
  add('url', encodeURIComponent(secret));
  add('form', new URLSearchParams({ x: secret }).toString().slice(2));
  add('json', JSON.stringify(secret).slice(1, -1));
  add('json-ascii', asciiJson(secret));
  const lines = secret.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) for (const line of lines) add('line', line);
  if (secret.length >= fragmentFrom) {
    for (let start = 0; start + fragmentLength <= secret.length; start++) {
      const piece = secret.slice(start, start + fragmentLength);
      if (!piece.includes('\n')) add('fragment', piece);
    }
  }
  return forms;
}

/** A precomputed leak scanner over a set of secrets. */
export interface LeakScanner {
  /** Descriptions (`NAME as kind`) of every form found in `text`; never a value. */
  scan(text: string): string[];
}

/** Builds a {@link LeakScanner} for `secrets`. */
export function leakScanner(secrets: readonly NamedSecret[]): LeakScanner {
  const entries = secrets
    .filter((secret) => secret.value.length > 0)
    .flatMap((secret) => secretForms(secret.value).map((form) => ({ name: secret.name, form })));
  return {
    scan(text) {
      let unwrapped: string | undefined;
      const found: string[] = [];
      for (const { name, form } of entries) {
        if (text.includes(form.text)) {
          found.push(`${name} as ${form.kind}`);
          continue;
        }
        if (!form.wrapped) continue;
        unwrapped ??= text.replace(/[\r\n]/g, '');
        if (unwrapped.includes(form.text))
          found.push(`${name} as ${form.kind} (wrapped over lines)`);
      }
      return found;
    },
  };
}
