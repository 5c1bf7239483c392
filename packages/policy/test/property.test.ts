import { join, relative } from 'node:path';
import { builtinProviderReferences } from '@ironrun/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isPolicyError, type Policy, parsePolicy, validatePolicy } from '../src/index.js';

const root = join('/', 'srv', 'app');
const filename = join(root, 'ironrun.yml');

const validPolicy = `version: 1
provider: { name: doppler, project: backend, config: prd }
defaults:
  ttl: 2m
  no_network: true
commands:
  - id: deploy
    description: Deploys the app
    argv: [./scripts/deploy.sh, --prod]
    env:
      STRIPE_SECRET: doppler://STRIPE_SECRET
      API_URL: { literal: "https://api.example.com" }
      NODE_ENV: production
    ttl: 30s
    cwd: app
    args: { pattern: "[a-z0-9-]+", max: 2 }
    pin: [scripts/lib.sh]
    confirm: true
    max_output: 64KiB
  - id: test
    argv: [npm, test]
    path: /usr/local/bin:/usr/bin
`;

/** What every policy parsePolicy returns must satisfy. */
function expectWellFormed(policy: Policy): void {
  expect(policy.version).toBe(1);
  expect(policy.path).toBe(filename);
  expect(policy.dir).toBe(root);
  expect(typeof policy.provider.name).toBe('string');
  const ids = new Set<string>();
  for (const command of policy.commands) {
    expect(command.id).toMatch(/^[a-z0-9][a-z0-9_.-]*$/);
    expect(ids.has(command.id)).toBe(false);
    ids.add(command.id);
    expect(command.argv.length).toBeGreaterThan(0);
    expect(command.argv.every((arg) => typeof arg === 'string' && !arg.includes('\0'))).toBe(true);
    expect(command.argv[0]).not.toBe('');
    expect(command.ttlMs).toBeGreaterThan(0);
    expect(command.ttlMs).toBeLessThanOrEqual(24 * 3_600_000);
    expect(command.maxOutputBytes).toBeGreaterThanOrEqual(256);
    expect(command.maxOutputBytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(relative(policy.dir, command.cwd).startsWith('..')).toBe(false);
    for (const [name, value] of Object.entries(command.env)) {
      expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(['literal', 'secret']).toContain(value.kind);
      if (value.kind === 'secret') expect(value.ref.startsWith(`${value.scheme}://`)).toBe(true);
    }
    expect(typeof command.noNetwork).toBe('boolean');
    expect(typeof command.confirm).toBe('boolean');
  }
}

/** Parses `text`: it must yield a well-formed policy or a PolicyError whose issues point into the text. */
function checkText(text: string): 'policy' | 'error' {
  const validation = validatePolicy(text, { providers: builtinProviderReferences, filename });
  expect((validation.policy === undefined) !== (validation.issues.length === 0)).toBe(true);
  let policy: Policy;
  try {
    policy = parsePolicy(text, { providers: builtinProviderReferences, filename });
  } catch (error) {
    expect(isPolicyError(error)).toBe(true);
    if (!isPolicyError(error)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    const lineCount = text.split(/\r\n|\r|\n/).length;
    for (const issue of error.issues) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lineCount + 1);
      expect(issue.column).toBeGreaterThanOrEqual(1);
      expect(issue.message.length).toBeGreaterThan(0);
    }
    expect(error.message).not.toMatch(/\n\s+at /);
    return 'error';
  }
  expect(validation.policy).toEqual(policy);
  expectWellFormed(policy);
  return 'policy';
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      ':',
      '- ',
      '  ',
      '\n',
      '[',
      ']',
      '{',
      '}',
      '"',
      "'",
      '#',
      '&a ',
      '*a',
      '!!str ',
      '---\n',
      '\t',
      '\0',
      '://',
      '..',
      '-',
    ),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const step of mutations) {
    if (step.kind === 'insert') {
      const at = step.at % (out.length + 1);
      out = out.slice(0, at) + step.text + out.slice(at);
    } else if (step.kind === 'delete') {
      const at = step.at % (out.length + 1);
      out = out.slice(0, at) + out.slice(at + step.length);
    } else {
      const lines = out.split('\n');
      if (step.kind === 'swapLines') {
        const a = step.a % lines.length;
        const b = step.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      } else {
        const at = step.at % lines.length;
        lines.splice(at, 0, lines[at]!);
      }
      out = lines.join('\n');
    }
  }
  return out;
}

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '30s',
    '0s',
    '25h',
    '16KiB',
    'op://v/i/f',
    'doppler://K',
    'x://y',
    '../..',
    '/etc',
    '-rf',
    'A',
  ),
);
const key = fc.constantFrom(
  'version',
  'provider',
  'commands',
  'defaults',
  'id',
  'argv',
  'env',
  'ttl',
  'no_network',
  'cwd',
  'args',
  'pattern',
  'max',
  'pin',
  'path',
  'allow',
  'confirm',
  'max_output',
  'name',
  'literal',
  'LD_PRELOAD',
  'X',
);
const { value: yamlValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

describe('parsePolicy (property)', () => {
  it('accepts the valid seed policy', () => {
    expectWellFormed(parsePolicy(validPolicy, { providers: builtinProviderReferences, filename }));
  });

  it('returns a valid policy or throws a PolicyError for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        checkText(text);
      }),
      { numRuns: 400 },
    );
  });

  it('returns a valid policy or throws a PolicyError for a mutated valid policy', () => {
    const outcomes = { policy: 0, error: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        outcomes[checkText(mutate(validPolicy, mutations))]++;
      }),
      { numRuns: 600 },
    );
    // Both outcomes occur, so the property checks valid policies too, not only errors.
    expect(outcomes.policy).toBeGreaterThan(0);
    expect(outcomes.error).toBeGreaterThan(0);
  });

  it('returns a valid policy or throws a PolicyError for random policy-shaped YAML', () => {
    fc.assert(
      fc.property(
        fc.record({
          version: fc.oneof(fc.constant(1), scalar),
          provider: fc.oneof(fc.constantFrom('envfile', 'doppler', '1password'), yamlValue),
          commands: fc.array(
            fc.dictionary(
              key,
              fc.oneof(yamlValue, fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 })),
              {
                maxKeys: 8,
              },
            ),
            { maxLength: 3 },
          ),
        }),
        (document) => {
          checkText(stringify(document));
        },
      ),
      { numRuns: 400 },
    );
  });
});
