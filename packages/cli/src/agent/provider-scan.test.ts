import { parsePolicy } from '@ironrun/core/policy-reader';
import { builtinProviderDeclarations } from '@ironrun/core/provider-facts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { renderPolicyTemplate } from '../init/policy-template.js';
import { testArgsRule } from '../init/test-args.js';
import { scanProviderSection } from './provider-scan.js';

const providers = builtinProviderDeclarations();

/** The provider section the full reader gives, or `undefined` when it refuses the text. */
function fullProvider(
  text: string,
): { name: string; options: Record<string, unknown> } | undefined {
  try {
    return parsePolicy(text, { filename: 'ironrun.yml', providers }).provider;
  } catch {
    return undefined;
  }
}

/** The raw `provider` value YAML gives (same options as the policy reader), or `undefined` on any YAML error. */
function yamlProvider(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, {
    uniqueKeys: true,
    merge: false,
    strict: true,
    version: '1.2',
    schema: 'core',
    prettyErrors: false,
  });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  const js = doc.toJS() as unknown;
  if (js === null || typeof js !== 'object' || Array.isArray(js)) return { value: undefined };
  return { value: (js as Record<string, unknown>).provider };
}

/** The scan's answer agrees with both readers wherever it gives one. */
function expectExact(text: string): void {
  const scanned = scanProviderSection(text);
  if (scanned === undefined) return;
  const full = fullProvider(text);
  if (full !== undefined) {
    expect(scanned, text).toEqual({ name: full.name, options: full.options });
  }
  const raw = yamlProvider(text);
  if (raw === undefined) return;
  if (scanned === null) {
    expect(raw.value, text).toBeUndefined();
  } else if (typeof raw.value === 'string') {
    expect(scanned, text).toEqual({ name: raw.value, options: {} });
  } else {
    expect(raw.value, text).toEqual({ name: scanned.name, ...scanned.options });
  }
}

const version = 'version: 1';
const commands = [
  'commands:\n  - id: test\n    argv: [npm, run, test]',
  'commands:\n- id: test\n  argv: [node, --test]',
  "commands:\n  - id: x\n    argv: [sh, -c, 'a && b || c # d']\n    args:\n      pattern: '[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*'",
  'commands:\n  - id: x\n    description: |\n      provider: evil\n      "unclosed [\n    argv: [x]',
  'commands:\n  - id: x\n    description: "two\n      lines: provider"\n    argv: [x]',
  'commands:\n  - id: x\n    argv: [a,\n      b]',
];

const scalars = [
  'envfile',
  'doppler',
  '1password',
  "'envfile'",
  '"envfile"',
  "'it''s'",
  '"a \\" b"',
  '~/vault/app.env',
  '/home/me/.secrets/app.env',
  '../outside.env',
  '"/path with space/x.env"',
  "'#not a comment'",
  'a#b',
  'a # comment',
  'a b',
  '1e3',
  '0x1F',
  '.inf',
  '~',
  'null',
  'true',
  '-x',
  '@scope/pkg',
  "'@scope/pkg'",
  '&a envfile',
  '*a',
  '!!str envfile',
  '|',
  '>',
  "'unclosed",
  '"unclosed',
  '',
  'x:y',
  'x: y',
  '[a]',
];

const scalar = fc.constantFrom(...scalars);
const key = fc.constantFrom('name', 'path', 'token_env', 'name', 'project', 'x-y', 'path');
const indent = fc.constantFrom('  ', '    ', ' ', '   ');
const comment = fc.constantFrom('', ' # note', '  #x', '#glued');

const blockProvider = fc
  .tuple(
    indent,
    fc.array(fc.tuple(key, scalar, comment, fc.boolean(), fc.boolean()), {
      minLength: 0,
      maxLength: 4,
    }),
    comment,
  )
  .map(
    ([pad, pairs, head]) =>
      `provider:${head}\n${pairs
        .map(
          ([name, value, note, commentLine, deeper]) =>
            `${commentLine ? `${pad}# a comment\n` : ''}${deeper ? `${pad} ` : pad}${name}: ${value}${note}`,
        )
        .join('\n')}`,
  );
const flowProvider = fc
  .array(fc.tuple(key, scalar), { minLength: 0, maxLength: 3 })
  .chain((pairs) =>
    fc
      .tuple(fc.constantFrom(', ', ',', ' , '), fc.constantFrom(' }', '}', ', }', ' } # c'))
      .map(
        ([separator, close]) =>
          `provider: {${pairs.map(([name, value]) => ` ${name}: ${value}`).join(separator)}${close}`,
      ),
  );
const lineProvider = fc
  .tuple(scalar, comment, fc.constantFrom('', '\n  # indented comment', '\n  more'))
  .map(([value, note, tail]) => `provider: ${value}${note}${tail}`);
const junk = fc.constantFrom(
  '---',
  '...',
  '%YAML 1.2',
  '"provider": doppler',
  "'provider': doppler",
  '? provider',
  ': doppler',
  'provider : doppler',
  'provider:doppler',
  '<<: {provider: doppler}',
  '# provider: doppler',
  '  # provider: doppler',
  '- provider: doppler',
  '{provider: doppler}',
  'provider\t: doppler',
  'x: "a\nprovider: doppler"',
  'x: [a,\nprovider: doppler]',
  'x: |\n  a\nprovider: doppler',
  'extra: value',
  '',
);
const entry = fc.oneof(
  { arbitrary: fc.constant(version), weight: 2 },
  { arbitrary: fc.constantFrom(...commands), weight: 2 },
  { arbitrary: blockProvider, weight: 3 },
  { arbitrary: flowProvider, weight: 2 },
  { arbitrary: lineProvider, weight: 2 },
  { arbitrary: junk, weight: 1 },
);
const policyText = fc
  .tuple(fc.array(entry, { minLength: 1, maxLength: 6 }), fc.constantFrom('', '\n', '\n\n'))
  .map(([entries, end]) => `${entries.join('\n')}${end}`);

describe('scanProviderSection', () => {
  it('reads the usual forms as the full reader does', () => {
    const cases: [string, unknown][] = [
      [`${version}\nprovider: envfile\ncommands: []\n`, { name: 'envfile', options: {} }],
      [
        `${version}\nprovider: { name: envfile, path: /srv/app.env }\n`,
        { name: 'envfile', options: { path: '/srv/app.env' } },
      ],
      [
        `${version}\nprovider:\n  name: envfile\n  # where\n  path: '~/v/it''s.env' # c\n`,
        { name: 'envfile', options: { path: "~/v/it's.env" } },
      ],
      [`${version}\ncommands: []\n`, null],
    ];
    for (const [text, expected] of cases) {
      expect(scanProviderSection(text), text).toEqual(expected);
      expectExact(text);
    }
  });

  it('is unsure of every form it cannot read exactly', () => {
    for (const text of [
      'provider: envfile\nprovider: doppler\n',
      '"provider": envfile\n',
      '---\nprovider: envfile\n',
      'provider: &a envfile\n',
      'provider: 1e3\n',
      'provider: env#x\n',
      'provider:\n  name: envfile\n    path: x\n',
      'provider:\n  name: envfile\n  name: doppler\n',
      'provider: {name: envfile, path: "a\\tb"}\n',
      'provider:\r\n  name: envfile\r\n',
      'provider:\n\tname: envfile\n',
      '- provider: envfile\n',
      'x: "a\nprovider: envfile"\n',
    ]) {
      expect(scanProviderSection(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('takes the fast path for every policy init writes', () => {
    for (const provider of ['envfile', '1password', 'doppler', 'infisical']) {
      const text = renderPolicyTemplate({
        provider,
        projectName: 'demo',
        tasks: [
          {
            id: 'test',
            argv: ['npm', 'run', 'test', '--'],
            definedIn: 'package.json',
            description: 'npm test',
            args: testArgsRule('vitest'),
          },
        ],
      });
      const full = fullProvider(text);
      expect(full, provider).toBeDefined();
      expect(scanProviderSection(text), provider).toEqual({
        name: full?.name,
        options: full?.options,
      });
    }
  });

  it('agrees with the full reader and with YAML wherever it answers (property)', () => {
    let answered = 0;
    fc.assert(
      fc.property(policyText, (text) => {
        if (scanProviderSection(text) !== undefined) answered++;
        expectExact(text);
      }),
      { numRuns: 3000 },
    );
    // The generator reaches the fast path often enough for the comparison to mean something.
    // About 11 % of the generated texts are answered (12 runs: 310-375 of 3,000, mean 332,
    // standard deviation 18): 200 is seven deviations below, where 300 failed about one run in 30.
    expect(answered).toBeGreaterThan(200);
  });
});
