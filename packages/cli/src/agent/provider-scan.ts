/**
 * A policy's provider section, read without the YAML parser and the schema,
 * for `ironrun agent`: it must know the envfile to hide before the agent
 * starts, and loading `yaml` and `valibot` costs more than the rest of the
 * start (#19).
 *
 * It answers only where its answer is exactly what the full reader would
 * give for a valid policy, and says "unsure" (`undefined`) for anything else,
 * where the caller parses in full. What makes that exact:
 * - In YAML, a line that starts at column 0 cannot continue a quoted scalar or
 *   a flow collection of a top-level value (their lines need an indent of at
 *   least 1; `yaml` refuses such a document), and it ends any block scalar.
 *   So when every non-blank, non-comment line at column 0 is a plain `key:`
 *   or a `- ` item, those keys are the top-level keys, and the one `provider`
 *   entry runs to the next such line. Anything else at column 0 (a quoted or
 *   complex key, `---`, `...`, a directive, a flow document) is unsure.
 * - The provider entry is read only in the simplest forms: a name on the key's
 *   line; a flow mapping on that line; or a block mapping of `key: value`
 *   lines at one indent. Values are one-line scalars: plain ones from a safe
 *   set of characters that the core schema reads as strings, single-quoted,
 *   or double-quoted without escapes. Anything else is unsure.
 * - Text with a tab, a carriage return, a BOM, U+2028/U+2029 or another control
 *   character is unsure.
 * For a text the full reader refuses, the scan may still name a provider:
 * `ironrun agent` then hides that envfile too, which hides more, never less.
 * A test compares the scan with the full reader over generated policies.
 */

/** The provider section the full reader would give: its name and its options. */
export interface ScannedProvider {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
}

const topLevelKey = /^([A-Za-z_][A-Za-z0-9_-]*):(?=[ ]|$)(.*)$/;
const optionKey = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Plain-scalar characters that are never indicators or comment starts here. */
const plainCharacters = /^[A-Za-z0-9_./~+-][A-Za-z0-9_./~@+-]*/;
/** What the YAML 1.2 core schema reads as null, a boolean or a number, not a string. */
const coreNonString = [
  /^(?:~|null|Null|NULL)$/,
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  /^[-+]?[0-9]+$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
];
/** The rest of a line after a value: nothing, or a comment after a space. */
const lineEnd = /^(?:[ ]*|[ ]+#.*)$/;

/** One scalar at the start of `text`, and what follows it; `undefined` when not one of the safe forms. */
function scalar(text: string, flow: boolean): { value: string; rest: string } | undefined {
  const quote = text[0];
  if (quote === "'") {
    let value = '';
    for (let i = 1; i < text.length; i++) {
      if (text[i] !== "'") {
        value += text[i];
      } else if (text[i + 1] === "'") {
        value += "'";
        i++;
      } else {
        return { value, rest: text.slice(i + 1) };
      }
    }
    return undefined;
  }
  if (quote === '"') {
    const end = text.indexOf('"', 1);
    if (end === -1) return undefined;
    const value = text.slice(1, end);
    if (value.includes('\\')) return undefined;
    return { value, rest: text.slice(end + 1) };
  }
  const match = plainCharacters.exec(text);
  if (match === null) return undefined;
  const value = match[0];
  // A plain scalar may hold `-` first only where it cannot be an indicator or a number's sign.
  if (value.startsWith('-') || coreNonString.some((pattern) => pattern.test(value))) {
    return undefined;
  }
  const rest = text.slice(value.length);
  // In block context a plain scalar runs on through spaces and further words: unsure.
  if (!flow && !lineEnd.test(rest)) return undefined;
  return { value, rest };
}

/** `{ key: value, … }` on one line. */
function flowMapping(text: string): Record<string, string> | undefined {
  let rest = text.slice(1);
  const options: Record<string, string> = {};
  for (;;) {
    rest = rest.replace(/^[ ]+/, '');
    const key = /^([A-Za-z_][A-Za-z0-9_]*):[ ]+/.exec(rest);
    if (key === null) return undefined;
    const name = key[1] as string;
    if (Object.hasOwn(options, name)) return undefined;
    const value = scalar(rest.slice(key[0].length), true);
    if (value === undefined) return undefined;
    options[name] = value.value;
    rest = value.rest.replace(/^[ ]+/, '');
    if (rest.startsWith(',')) {
      rest = rest.slice(1);
      continue;
    }
    if (!rest.startsWith('}')) return undefined;
    return lineEnd.test(rest.slice(1)) ? options : undefined;
  }
}

function isBlankOrComment(line: string): boolean {
  return /^[ ]*(?:#.*)?$/.test(line);
}

function section(options: Record<string, string>): ScannedProvider | undefined {
  const { name, ...rest } = options;
  return name === undefined || name === '' ? undefined : { name, options: rest };
}

/**
 * The provider section of a policy text as the full reader would give it;
 * `null` when the text has no top-level `provider` key (the full reader
 * refuses it: nothing to hide); `undefined` when the scan cannot say exactly
 * (parse in full).
 */
export function scanProviderSection(text: string): ScannedProvider | null | undefined {
  // Tabs, carriage returns, a BOM, NUL and other control characters: unsure.
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(text)) return undefined;
  const lines = text.split('\n');
  let start = -1;
  let sawKey = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.startsWith(' ') || isBlankOrComment(line)) continue;
    if (line.startsWith('- ') || line === '-') {
      if (!sawKey) return undefined;
      continue;
    }
    const key = topLevelKey.exec(line);
    if (key === null) return undefined;
    sawKey = true;
    if (key[1] === 'provider') {
      if (start !== -1) return undefined;
      start = index;
    }
  }
  if (start === -1) return null;
  const body: string[] = [];
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index] as string;
    if (!line.startsWith(' ') && !isBlankOrComment(line)) break;
    body.push(line);
  }
  const after = (lines[start] as string).slice('provider:'.length);
  const content = body.filter((line) => !isBlankOrComment(line));
  if (!lineEnd.test(after)) {
    // A value on the key's line: nothing may follow on the lines below.
    if (content.length > 0) return undefined;
    const value = after.replace(/^[ ]+/, '');
    if (value.startsWith('{')) {
      const options = flowMapping(value);
      return options === undefined ? undefined : section(options);
    }
    const name = scalar(value, false);
    if (name === undefined || !lineEnd.test(name.rest) || name.value === '') return undefined;
    return { name: name.value, options: {} };
  }
  // `provider:` alone (or with a comment): a block mapping at one indent.
  if (content.length === 0) return undefined;
  const indent = /^[ ]*/.exec(content[0] as string)?.[0].length ?? 0;
  const options: Record<string, string> = {};
  for (const line of content) {
    const own = /^[ ]*/.exec(line)?.[0].length ?? 0;
    if (own !== indent) return undefined;
    const pair = /^([^:]+):(?:[ ]+(.*))?$/.exec(line.slice(indent));
    const key = pair?.[1];
    if (pair === null || key === undefined || !optionKey.test(key) || pair[2] === undefined) {
      return undefined;
    }
    if (Object.hasOwn(options, key)) return undefined;
    const parsed = scalar(pair[2], false);
    if (parsed === undefined || !lineEnd.test(parsed.rest)) return undefined;
    options[key] = parsed.value;
  }
  return section(options);
}
