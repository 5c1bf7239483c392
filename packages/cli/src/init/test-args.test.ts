import { type PolicyCommand, validateArgs, validatePolicy } from '@ironrun/policy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPolicyTemplate } from './policy-template.js';
import { nodeTestRunner, type TestRunner, testArgsRule } from './test-args.js';

const runners: readonly TestRunner[] = [
  'pytest',
  'vitest',
  'jest',
  'mocha',
  'node-test',
  'go',
  'cargo',
];

/** The test command as policy reads it back from the ironrun.yml init writes. */
function generatedCommand(runner: TestRunner): PolicyCommand {
  const text = renderPolicyTemplate({
    provider: 'envfile',
    projectName: 'x',
    tasks: [
      {
        id: 'test',
        argv: ['runner'],
        definedIn: 'package.json',
        description: runner,
        args: testArgsRule(runner),
      },
    ],
  });
  const { policy, issues } = validatePolicy(text, { filename: 'ironrun.yml' });
  expect(issues).toEqual([]);
  const command = policy?.commands[0];
  if (command?.args === undefined) throw new Error('the generated command has no args');
  return command;
}

function accepts(command: PolicyCommand, args: readonly string[]): boolean {
  try {
    validateArgs(command, args);
    return true;
  } catch {
    return false;
  }
}

/** The name-filter option each runner's rule lets through, spelled exactly. */
const filterOption: Record<TestRunner, string | undefined> = {
  pytest: '-k',
  vitest: '-t',
  jest: '-t',
  mocha: '-g',
  'node-test': undefined,
  go: '-run',
  cargo: undefined,
};

const word = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}$/);

/** Options an attacker would add to load code or config from elsewhere, in each spelling. */
const dangerousOptions = [
  '--config',
  '-c',
  '--require',
  '-r',
  '-p',
  '--rootdir',
  '--confcutdir',
  '-o',
  '--pyargs',
  '--root',
  '--dir',
  '--globalSetup',
  '--setupFiles',
  '--environment',
  '--reporter',
  '--import',
  '--loader',
  '-exec',
  '-toolexec',
  '-ldflags',
  '-coverprofile',
  '-o',
  '--test-threads',
  '--',
  '-',
];

describe('testArgsRule', () => {
  it.each(runners)('accepts the example it shows agents (%s)', (runner) => {
    expect(accepts(generatedCommand(runner), testArgsRule(runner).example)).toBe(true);
  });

  it.each(runners)('accepts project paths and names, and the filter option (%s)', (runner) => {
    const command = generatedCommand(runner);
    const option = filterOption[runner];
    const path =
      runner === 'go'
        ? fc.array(word, { minLength: 1, maxLength: 4 }).map((parts) => `./${parts.join('/')}`)
        : runner === 'cargo'
          ? fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_]{0,12}$/)
          : fc.array(word, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(fc.array(path, { minLength: 1, maxLength: 6 }), (paths) => {
        const args = option === undefined ? paths : [...paths, option, 'name'];
        expect(accepts(command, args)).toBe(true);
      }),
    );
  });

  it.each(runners)('refuses option injection, in every spelling (%s)', (runner) => {
    const command = generatedCommand(runner);
    const option = filterOption[runner];
    const spelled = fc.oneof(
      fc.constantFrom(...dangerousOptions),
      fc.constantFrom(...dangerousOptions).chain((name) =>
        fc.oneof(
          word.map((value) => `${name}=${value}`),
          word.map((value) => `${name}${value}`),
        ),
      ),
      // The runner's own filter option with its value glued on, or in another spelling.
      ...(option === undefined
        ? []
        : [
            word.map((value) => `${option}=${value}`),
            word.map((value) => `${option}${value}`),
            fc.constant(`-${option}`),
            fc.constant(option.toUpperCase()),
          ]),
      // Anything else that starts with "-".
      fc.string({ minLength: 1, maxLength: 20 }).map((text) => `-${text}`),
    );
    fc.assert(
      fc.property(spelled, fc.array(word, { maxLength: 3 }), (attack, before) => {
        fc.pre(attack !== option);
        expect(accepts(command, [...before, attack])).toBe(false);
      }),
    );
  });

  it.each(runners)('refuses paths that leave the project or are absolute (%s)', (runner) => {
    const command = generatedCommand(runner);
    const escaping = fc.oneof(
      fc.array(word, { maxLength: 3 }).map((parts) => ['..', ...parts].join('/')),
      fc
        .tuple(fc.array(word, { minLength: 1, maxLength: 3 }), fc.array(word, { maxLength: 3 }))
        .map(([head, tail]) => [...head, '..', ...tail].join('/')),
      fc.array(word, { maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
      fc.array(word, { maxLength: 3 }).map((parts) => `./../${parts.join('/')}`),
      fc.array(word, { maxLength: 3 }).map((parts) => `~/${parts.join('/')}`),
      fc.array(word, { minLength: 2, maxLength: 3 }).map((parts) => parts.join('\\..\\')),
      fc.constantFrom('..', '.', '/', '//etc/passwd', '.env', 'a//b', 'a/', './..', '.../x'),
    );
    fc.assert(
      fc.property(escaping, (attack) => {
        expect(accepts(command, [attack])).toBe(false);
      }),
    );
  });

  it.each(runners)('refuses "=", newline, NUL, whitespace and shell characters (%s)', (runner) => {
    const command = generatedCommand(runner);
    const bad = fc.constantFrom(
      '=',
      '\n',
      '\r',
      '\0',
      ' ',
      '\t',
      ';',
      '|',
      '&',
      '$',
      '`',
      "'",
      '"',
      '<',
      '>',
      '(',
      ')',
      '*',
      '?',
      '[',
      '{',
      '!',
      '#',
      '\\',
      '\u2028',
    );
    fc.assert(
      fc.property(word, bad, word, (head, char, tail) => {
        expect(accepts(command, [`${head}${char}${tail}`])).toBe(false);
        expect(accepts(command, [`${head}${char}`])).toBe(false);
      }),
    );
  });
});

describe('nodeTestRunner', () => {
  it('finds the runner that gets the extra arguments', () => {
    expect(nodeTestRunner('vitest run')).toBe('vitest');
    expect(nodeTestRunner('jest --ci')).toBe('jest');
    expect(nodeTestRunner('tsc -p . && vitest')).toBe('vitest');
    expect(nodeTestRunner('CI=1 npx vitest run')).toBe('vitest');
    expect(nodeTestRunner('cross-env NODE_ENV=test mocha')).toBe('mocha');
    expect(nodeTestRunner('node --test')).toBe('node-test');
    expect(nodeTestRunner('pnpm exec jest')).toBe('jest');
  });

  it('gives no runner when the last command is something else', () => {
    expect(nodeTestRunner('vitest run && echo done')).toBeUndefined();
    expect(nodeTestRunner('turbo run test')).toBeUndefined();
    expect(nodeTestRunner('make test')).toBeUndefined();
    expect(nodeTestRunner('node scripts/test.js')).toBeUndefined();
    expect(nodeTestRunner('')).toBeUndefined();
  });
});
