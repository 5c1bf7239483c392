import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PolicyCommand, validateArgs, validatePolicy } from '../src/index.js';

// Regular expressions are generated as trees, printed as pattern source, and
// matched by a small set-of-positions matcher written here, so the property
// does not trust the engine's own anchoring to judge the engine's anchoring.

type Node =
  | { kind: 'char'; char: string }
  | { kind: 'class'; chars: string[]; negated: boolean }
  | { kind: 'any' }
  | { kind: 'cat'; left: Node; right: Node }
  | { kind: 'alt'; left: Node; right: Node }
  | { kind: 'star'; body: Node }
  | { kind: 'plus'; body: Node }
  | { kind: 'optional'; body: Node };

/** The alphabet of inputs and literals: letters, and characters that mean something in a pattern. */
const alphabet = ['a', 'b', '-', '.', ')', '(', '|', '\\', '\n', '$'];
const syntaxCharacters = new Set([
  '^',
  '$',
  '\\',
  '.',
  '*',
  '+',
  '?',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '|',
  '/',
]);
const lineTerminators = new Set(['\n', '\r', '\u2028', '\u2029']);

function print(node: Node): string {
  switch (node.kind) {
    case 'char':
      return syntaxCharacters.has(node.char)
        ? `\\${node.char}`
        : node.char === '\n'
          ? '\\n'
          : node.char;
    case 'class': {
      const inside = node.chars
        .map((c) =>
          c === '\n' ? '\\n' : c === '\\' || c === ']' || c === '-' || c === '^' ? `\\${c}` : c,
        )
        .join('');
      return `[${node.negated ? '^' : ''}${inside}]`;
    }
    case 'any':
      return '.';
    case 'cat':
      return `(?:${print(node.left)})(?:${print(node.right)})`;
    case 'alt':
      return `(?:${print(node.left)}|${print(node.right)})`;
    case 'star':
      return `(?:${print(node.body)})*`;
    case 'plus':
      return `(?:${print(node.body)})+`;
    case 'optional':
      return `(?:${print(node.body)})?`;
  }
}

/** Every position where a match of `node` starting at `from` can end. */
function ends(node: Node, input: string, from: number): Set<number> {
  const one = (test: (c: string) => boolean): Set<number> =>
    from < input.length && test(input[from] as string) ? new Set([from + 1]) : new Set();
  switch (node.kind) {
    case 'char':
      return one((c) => c === node.char);
    case 'class':
      return one((c) => node.chars.includes(c) !== node.negated);
    case 'any':
      return one((c) => !lineTerminators.has(c));
    case 'cat': {
      const out = new Set<number>();
      for (const middle of ends(node.left, input, from)) {
        for (const end of ends(node.right, input, middle)) out.add(end);
      }
      return out;
    }
    case 'alt':
      return new Set([...ends(node.left, input, from), ...ends(node.right, input, from)]);
    case 'optional':
      return new Set([from, ...ends(node.body, input, from)]);
    case 'star':
    case 'plus': {
      const reached = new Set<number>(node.kind === 'star' ? [from] : []);
      let frontier = [...ends(node.body, input, from)];
      while (frontier.length > 0) {
        const next: number[] = [];
        for (const position of frontier) {
          if (reached.has(position)) continue;
          reached.add(position);
          next.push(...ends(node.body, input, position));
        }
        frontier = next;
      }
      return reached;
    }
  }
}

function fullyMatches(node: Node, input: string): boolean {
  return ends(node, input, 0).has(input.length);
}

const character = fc.constantFrom(...alphabet);
const { node: patternTree } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    character.map((char): Node => ({ kind: 'char', char })),
    fc
      .record({
        chars: fc.uniqueArray(character, { minLength: 1, maxLength: 4 }),
        negated: fc.boolean(),
      })
      .map((c): Node => ({ kind: 'class', ...c })),
    fc.constant<Node>({ kind: 'any' }),
    fc.record({ left: tie('node'), right: tie('node') }).map((n): Node => ({ kind: 'cat', ...n })),
    fc.record({ left: tie('node'), right: tie('node') }).map((n): Node => ({ kind: 'alt', ...n })),
    tie('node').map((body): Node => ({ kind: 'star', body })),
    tie('node').map((body): Node => ({ kind: 'plus', body })),
    tie('node').map((body): Node => ({ kind: 'optional', body })),
  ),
}));
const input = fc.array(character, { maxLength: 8 }).map((chars) => chars.join(''));

function command(pattern: string): PolicyCommand {
  return {
    id: 'probe',
    argv: ['./probe.sh'],
    env: {},
    ttlMs: 60_000,
    noNetwork: false,
    cwd: '/srv/app',
    allow: [],
    pin: [],
    confirm: false,
    maxOutputBytes: 16_384,
    args: { pattern, maxCount: 1, allowOptions: true },
  };
}

function accepts(pattern: string, arg: string): boolean {
  try {
    validateArgs(command(pattern), [arg]);
    return true;
  } catch {
    return false;
  }
}

function acceptedAtCheckTime(pattern: string): boolean {
  const text = `version: 1\nprovider: envfile\ncommands:\n  - id: probe\n    argv: [./probe.sh]\n    args: { pattern: ${JSON.stringify(pattern)} }\n`;
  const { issues } = validatePolicy(text, { filename: '/srv/app/ironrun.yml' });
  return issues.length === 0;
}

/** Pieces an attacker splices into a pattern to close the group ironrun wraps around it. */
const escapeFragment = fc.constantFrom(
  ')|(',
  ')|(?:',
  ')|',
  '|(',
  ')(',
  ')',
  '(',
  '\\',
  ')*|(',
  ')$|^(',
);

describe('args patterns (property)', () => {
  it('no generated pattern accepts an argument outside its own full match', () => {
    fc.assert(
      fc.property(patternTree, fc.array(input, { minLength: 1, maxLength: 6 }), (tree, inputs) => {
        const pattern = print(tree);
        expect(acceptedAtCheckTime(pattern)).toBe(true);
        for (const arg of inputs) {
          expect(accepts(pattern, arg)).toBe(fullyMatches(tree, arg));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a pattern spliced with a group-closing fragment is refused at check time and at run time', () => {
    fc.assert(
      fc.property(patternTree, escapeFragment, patternTree, input, (left, fragment, right, arg) => {
        const pattern = `${print(left)}${fragment}${print(right)}`;
        let compilesAlone = true;
        try {
          new RegExp(pattern, 'u');
        } catch {
          compilesAlone = false;
        }
        // A fragment that leaves the pattern balanced is an ordinary pattern;
        // the first property covers those. Every unbalanced one must be refused.
        fc.pre(!compilesAlone);
        expect(acceptedAtCheckTime(pattern)).toBe(false);
        expect(accepts(pattern, arg)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});
