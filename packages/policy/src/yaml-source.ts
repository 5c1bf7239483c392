import {
  Composer,
  type CST,
  Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  Parser,
  visit,
} from 'yaml';
import type { PolicyIssue, PolicyIssueCode } from './policy-error.js';

/** A parsed YAML document and what is needed to point into its text. */
export interface YamlSource {
  readonly doc: Document.Parsed;
  /** Problems found while parsing: syntax errors and refused YAML features. */
  readonly issues: PolicyIssue[];
  /** The 1-based line and column of a character offset. */
  position(offset: number): { line: number; column: number };
  /** The offset of the node at `path` (its key with `at: 'key'`), or of its closest existing ancestor. */
  offsetOf(path: readonly (string | number)[], at?: 'key' | 'value'): number;
}

const maxMessageLength = 200;

/** The deepest nesting of collections accepted; a policy needs about six. */
export const maxNesting = 32;

const collectionTypes = new Set(['block-map', 'block-seq', 'flow-collection']);

/** The offset of the first collection nested deeper than {@link maxNesting}, walking the tokens without recursion. */
function firstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: [unknown, number][] = tokens.map((token) => [token, 0]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const type = (node as { type?: unknown }).type;
    const here = typeof type === 'string' && collectionTypes.has(type) ? depth + 1 : depth;
    if (here > maxNesting) return (node as { offset?: number }).offset ?? 0;
    for (const value of Array.isArray(node) ? node : Object.values(node)) {
      if (value !== null && typeof value === 'object') stack.push([value, here]);
    }
  }
  return undefined;
}

function shorten(message: string): string {
  const firstLine = message.split('\n', 1)[0] ?? '';
  return firstLine.length > maxMessageLength
    ? `${firstLine.slice(0, maxMessageLength)}…`
    : firstLine;
}

function pairOf(node: unknown, key: string | number): Pair | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === String(key)) return pair;
  }
  return undefined;
}

function isEmptyValue(node: unknown, text: string): boolean {
  if (!isScalar(node) || node.value !== null || node.range === undefined || node.range === null)
    return false;
  return text.slice(node.range[0], node.range[1]).trim() === '';
}

/**
 * Parses `text` as one YAML 1.2 document (core schema, unique keys, no merge
 * keys) and checks it uses only what a policy needs: no anchors, aliases or
 * tags (a reviewer must read every value where it is used), and only plain
 * string keys.
 */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const clamped = Math.max(0, Math.min(offset, text.length));
    const { line, col } = lineCounter.linePos(clamped);
    return { line, column: col };
  };
  const issues: PolicyIssue[] = [];
  const add = (code: PolicyIssueCode, message: string, offset: number) =>
    issues.push({ code, message, path: [], ...position(offset) });

  // Lex and parse to tokens first (iterative, no recursion), and refuse deep
  // nesting before the recursive composer sees it: thousands of nested
  // collections would exhaust the stack, and V8 may then abort the whole
  // process instead of throwing.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = firstTooDeep(tokens);
  if (tooDeep !== undefined) {
    add('YAML_SYNTAX', `nested deeper than ${maxNesting} levels`, tooDeep);
    const doc = new Document(null) as unknown as Document.Parsed;
    return { doc, issues, position, offsetOf: () => tooDeep };
  }
  const composer = new Composer({
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    strict: true,
    version: '1.2',
    schema: 'core',
    logLevel: 'silent',
  });
  const docs = [...composer.compose(tokens, true, text.length)];
  const doc = docs[0]!;
  if (docs.length > 1) {
    add(
      'YAML_SYNTAX',
      'a policy is one YAML document; remove the second "---" and what follows',
      docs[1]!.range[0],
    );
  }

  // One broken line can cascade into thousands of errors; the first hundred say enough.
  for (const error of [...doc.errors, ...doc.warnings].slice(0, 100)) {
    add(
      error.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'YAML_SYNTAX',
      shorten(error.message),
      error.pos[0],
    );
  }
  if (doc.errors.length === 0) {
    visit(doc, {
      Alias(_key, node) {
        add(
          'YAML_SYNTAX',
          'aliases (*name) are not supported in a policy; write the value out',
          node.range?.[0] ?? 0,
        );
      },
      Node(_key, node) {
        if (node.anchor !== undefined) {
          add(
            'YAML_SYNTAX',
            'anchors (&name) are not supported in a policy; write the value out',
            node.range?.[0] ?? 0,
          );
        }
        if (node.tag !== undefined) {
          add(
            'YAML_SYNTAX',
            'tags (!tag) are not supported in a policy; quote the value instead',
            node.range?.[0] ?? 0,
          );
        }
      },
      Pair(_key, pair) {
        if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
          const offset = isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
          add('YAML_SYNTAX', 'keys must be plain strings', offset);
        }
      },
    });
  }

  const offsetOf = (path: readonly (string | number)[], at: 'key' | 'value' = 'value'): number => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      const last = i === path.length - 1;
      if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (!isNode(item)) return offset;
        node = item;
        offset = item.range?.[0] ?? offset;
        continue;
      }
      const pair = pairOf(node, key);
      if (pair === undefined || !isNode(pair.key)) return offset;
      const keyOffset = pair.key.range?.[0] ?? offset;
      if ((last && at === 'key') || !isNode(pair.value) || isEmptyValue(pair.value, text)) {
        return keyOffset;
      }
      node = pair.value;
      offset = pair.value.range?.[0] ?? keyOffset;
    }
    return offset;
  };

  return { doc, issues, position, offsetOf };
}
