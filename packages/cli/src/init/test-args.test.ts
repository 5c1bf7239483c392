import { type PolicyCommand, validateArgs, validatePolicy } from '@ironrun/policy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPolicyTemplate } from './policy-template.js';
import { makeRecipe } from './shell-programs.js';
import {
  makeArgsRule,
  makeArgsVariable,
  makeTestVariable,
  makeTestVariables,
  nodeTestRunner,
  type TestRunner,
  testArgsRule,
} from './test-args.js';

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

/** The Makefile test command as policy reads it back, with `makeArgsRule(variable)`. */
function generatedMakeCommand(variable: string): PolicyCommand {
  const text = renderPolicyTemplate({
    provider: 'envfile',
    projectName: 'x',
    tasks: [
      {
        id: 'test',
        argv: ['make', 'test'],
        definedIn: 'Makefile',
        description: 'make test',
        args: makeArgsRule(variable),
      },
    ],
  });
  const { policy, issues } = validatePolicy(text, { filename: 'ironrun.yml' });
  expect(issues).toEqual([]);
  const command = policy?.commands[0];
  if (command?.args === undefined) throw new Error('the generated command has no args');
  return command;
}

/** make's options that read another makefile, change folder, evaluate text or set the shell, in each spelling. */
const makeOptions = [
  '-f',
  '--file',
  '--makefile',
  '-C',
  '--directory',
  '--eval',
  '-E',
  '-e',
  '--environment-overrides',
  '-I',
  '--include-dir',
  '-W',
  '--what-if',
  '-o',
  '-j',
  '-k',
  '-n',
  '-p',
  '--',
  '-',
];

/** Variables make or the shell reads itself, which the rule must never let an agent set. */
const makeOwnVariables = [
  'SHELL',
  '.SHELLFLAGS',
  'MAKEFLAGS',
  'GNUMAKEFLAGS',
  'MFLAGS',
  'MAKEFILES',
  'MAKE',
  'MAKECMDGOALS',
  'VPATH',
  'CURDIR',
  '.DEFAULT_GOAL',
  'PATH',
  'NODE_OPTIONS',
  'PYTHONPATH',
  'LD_PRELOAD',
  'BASH_ENV',
];

describe('makeArgsRule', () => {
  const path = fc.array(word, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

  it.each(makeTestVariables)(
    'accepts its example and VARIABLE=<path inside the project> (%s)',
    (variable) => {
      const command = generatedMakeCommand(variable);
      expect(accepts(command, makeArgsRule(variable).example)).toBe(true);
      fc.assert(
        fc.property(path, (value) => {
          expect(accepts(command, [`${variable}=${value}`])).toBe(true);
        }),
      );
    },
  );

  it('refuses every make option, in every spelling, with or without the variable after it', () => {
    const command = generatedMakeCommand('TESTS');
    const spelled = fc.oneof(
      fc.constantFrom(...makeOptions),
      fc.constantFrom(...makeOptions).chain((name) =>
        fc.oneof(
          path.map((value) => `${name}=${value}`),
          path.map((value) => `${name}${value}`),
          path.map((value) => `${name}TESTS=${value}`),
        ),
      ),
      fc.string({ minLength: 1, maxLength: 20 }).map((text) => `-${text}`),
    );
    fc.assert(
      fc.property(spelled, path, (attack, value) => {
        expect(accepts(command, [attack])).toBe(false);
        expect(accepts(command, [attack, `TESTS=${value}`])).toBe(false);
      }),
    );
  });

  it('refuses any other variable, a goal (another target) and a second argument', () => {
    const command = generatedMakeCommand('TESTS');
    const name = fc.stringMatching(/^[A-Za-z_.][A-Za-z0-9_.]{0,12}$/).filter((n) => n !== 'TESTS');
    const other = fc.oneof(
      fc.tuple(fc.constantFrom(...makeOwnVariables), path).map(([n, v]) => `${n}=${v}`),
      fc.tuple(name, path).map(([n, v]) => `${n}=${v}`),
      // make's other assignment operators, and an override of the variable's flavour
      fc
        .tuple(fc.constantFrom(':=', '::=', ':::=', '?=', '+=', '!='), path)
        .map(([op, v]) => `TESTS${op}${v}`),
      fc.constantFrom('tests=test/a.mjs', ' TESTS=a', 'TESTS =a', 'override TESTS=a'),
      // a bare word is a goal: another target of the Makefile
      path,
    );
    fc.assert(
      fc.property(other, path, (attack, value) => {
        expect(accepts(command, [attack])).toBe(false);
        expect(accepts(command, [`TESTS=${value}`, attack])).toBe(false);
      }),
    );
    expect(accepts(command, ['TESTS=a.mjs', 'TESTS=b.mjs'])).toBe(false);
  });

  it('refuses values that leave the project, expand in make, or split into words', () => {
    const command = generatedMakeCommand('TESTS');
    const bad = fc.oneof(
      fc.array(word, { maxLength: 3 }).map((parts) => ['..', ...parts].join('/')),
      fc
        .tuple(fc.array(word, { minLength: 1, maxLength: 3 }), fc.array(word, { maxLength: 3 }))
        .map(([head, tail]) => [...head, '..', ...tail].join('/')),
      fc.array(word, { maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
      fc.array(word, { maxLength: 3 }).map((parts) => `~/${parts.join('/')}`),
      fc.constantFrom('', '.', '..', '.env', 'a//b', 'a/', '-f', '--eval=x'),
      fc
        .tuple(
          word,
          fc.constantFrom(
            '$',
            '$(',
            '${',
            '(',
            ')',
            ' ',
            '\t',
            '\n',
            '=',
            ';',
            '`',
            '\\',
            '#',
            '%',
            ':',
            '*',
          ),
          word,
        )
        .map(([head, char, tail]) => `${head}${char}${tail}`),
      fc.constantFrom('$(shell id)', '$(eval x)', '$$(id)', 'a$(SHELL)'),
    );
    fc.assert(
      fc.property(bad, (value) => {
        expect(accepts(command, [`TESTS=${value}`])).toBe(false);
      }),
    );
  });

  it('is only made for the fixed list of variable names', () => {
    for (const name of makeOwnVariables) expect(() => makeArgsRule(name)).toThrow();
    expect(makeArgsVariable(makeArgsRule('FILE').pattern)).toBe('FILE');
    expect(makeArgsVariable(`FILE=.*`)).toBeUndefined();
    expect(
      makeArgsVariable(`SHELL=${makeArgsRule('FILE').pattern.slice('FILE='.length)}`),
    ).toBeUndefined();
  });
});

describe('makeTestVariable', () => {
  const variableOf = (text: string, target = 'test') =>
    makeTestVariable(text, makeRecipe(text, target));

  it('finds the variable a runner is given as a word of its own', () => {
    expect(variableOf('TESTS ?= test/\ntest:\n\tnode --test $(TESTS)\n')).toBe('TESTS');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: make's own ${VAR} spelling
    expect(variableOf('test:\n\t@python3 -m pytest -q ${FILE}\n')).toBe('FILE');
    expect(variableOf('test: build\n\tnpx vitest run $(ARGS)\n')).toBe('ARGS');
    expect(variableOf('SPEC := $(wildcard test/*.js)\ntest:\n\tcd . && mocha $(SPEC)\n')).toBe(
      'SPEC',
    );
  });

  it('gives none where the value would reach anything but the runner', () => {
    const cases = [
      // no known runner gets it
      'test:\n\tsh run-tests.sh $(TESTS)\n',
      'test:\n\t./node_modules/.bin/whatever $(TESTS)\n',
      // a variable make or the shell reads itself
      'test:\n\tnode --test $(SHELL)\n',
      'test:\n\tnode --test $(MAKEFLAGS)\n',
      // used twice, or by another command, or inside text
      'test:\n\trm -f $(TESTS); node --test $(TESTS)\n',
      'test:\n\tnode --test $(TESTS)\nclean:\n\trm -rf $(TESTS)\n',
      'test:\n\tnode --test "$(TESTS)"\n',
      'test:\n\tnode --test $(TESTS:.js=.mjs)\n',
      'test:\n\tnode --test $$(TESTS)\n',
      // overridden, target-specific, evaluated or appended to
      'override TESTS = test/\ntest:\n\tnode --test $(TESTS)\n',
      'test: TESTS = test/\ntest:\n\tnode --test $(TESTS)\n',
      '$(eval $(TESTS))\ntest:\n\tnode --test $(TESTS)\n',
      'TESTS += more\ntest:\n\tnode --test $(TESTS)\n',
      'TESTS != ls test\ntest:\n\tnode --test $(TESTS)\n',
      // two variables
      'test:\n\tnode --test $(TESTS) $(FILE)\n',
    ];
    for (const text of cases) expect(variableOf(text), text).toBeUndefined();
  });
});
