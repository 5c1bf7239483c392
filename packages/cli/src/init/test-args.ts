/**
 * The `args:` rules `init` gives test commands: what an agent may append to
 * run one test file or filter tests by name, and nothing else.
 *
 * Each rule is one pattern over a single argument (policy anchors it and
 * checks each argument on its own), so every word must be safe wherever it
 * lands: a path or name that the runner cannot read as an option, or the one
 * name-filter option of that runner, spelled exactly. The runner's filter
 * option takes the next argument as its value, and any argument the pattern
 * admits is harmless as a filter value.
 *
 * What the patterns refuse, and why:
 * - every other option (`--config`, `-c`, `-p plugin`, `--rootdir`,
 *   `--require`, `-exec`, `--`), in any spelling (`-kname`, `-k=name`,
 *   `--run=x`), since the only words starting with `-` are the filter option;
 * - absolute paths, `..` and any segment starting with `.`, `~`, empty
 *   segments (`a//b`), backslashes;
 * - `=` (make variables, `--flag=value`), whitespace and newlines, NUL, quotes
 *   and every shell metacharacter (package managers hand the words to a shell,
 *   quoted; nothing here depends on that quoting).
 *
 * The check is lexical: a path inside the project may still be a symlink
 * leading out of it. A test command already runs the project's own test code,
 * which the agent can edit, so a path names nothing the runner would not load
 * anyway; the seal bounds what that code can reach.
 */

/** The runners `init` knows a safe argument shape for. */
export type TestRunner = 'pytest' | 'vitest' | 'jest' | 'mocha' | 'node-test' | 'go' | 'cargo';

/** One test command's `args:` rule, as `init` writes it, and how to show it to an agent. */
export interface TestArgsRule {
  /** The policy's `args.pattern` (policy anchors it: `^(?:…)$`). */
  readonly pattern: string;
  /** The policy's `args.max`. */
  readonly max: number;
  /** The policy's `args.allow_options`: true only where the pattern admits the filter option. */
  readonly allowOptions: boolean;
  /** One line for the policy comment and the agent instructions. */
  readonly summary: string;
  /** Example extra arguments, for the agent instructions. */
  readonly example: readonly string[];
}

/** A path segment: starts with a letter, digit or `_` (so never `.`, `..`, `-x` or hidden). */
const segment = '[A-Za-z0-9_][A-Za-z0-9_.-]*';
/** A relative path inside the project, by its spelling. */
const relativePath = `${segment}(?:/${segment})*`;

const maxArgs = 8;

function rule(
  option: string | undefined,
  shape: string,
  summary: string,
  example: readonly string[],
): TestArgsRule {
  return {
    pattern: option === undefined ? shape : `${option}|${shape}`,
    max: maxArgs,
    allowOptions: option !== undefined,
    summary,
    example,
  };
}

/** The `args:` rule for a test runner. */
export function testArgsRule(runner: TestRunner): TestArgsRule {
  switch (runner) {
    case 'pytest':
      // A file, folder or node id (tests/test_x.py::TestY::test_z), and -k NAME.
      return rule(
        '-k',
        `${relativePath}(?:::[A-Za-z_][A-Za-z0-9_]*)*`,
        'test files or folders inside the project (or file::test ids), and -k NAME',
        ['tests/test_example.py', '-k', 'test_name'],
      );
    case 'vitest':
    case 'jest':
      return rule('-t', relativePath, 'test files or folders inside the project, and -t NAME', [
        'src/example.test.ts',
        '-t',
        'name',
      ]);
    case 'mocha':
      return rule('-g', relativePath, 'test files inside the project, and -g NAME', [
        'test/example.test.js',
        '-g',
        'name',
      ]);
    case 'node-test':
      return rule(undefined, relativePath, 'test files inside the project', [
        'test/example.test.js',
      ]);
    case 'go':
      // Packages only as ./relative paths (a bare path would be fetched as a module), and -run NAME.
      return rule(
        '-run',
        `\\./${relativePath}(?:/\\.\\.\\.)?|${segment}`,
        'packages as ./path inside the project (./path/... for a subtree), and -run NAME',
        ['./pkg/example', '-run', 'TestName'],
      );
    case 'cargo':
      return rule(undefined, '[A-Za-z0-9_][A-Za-z0-9_:]*', 'a test name filter', ['test_name']);
  }
}

/** The test runner a command's words start with (after leading `NAME=value` words, `cross-env`, `npx`/`bunx`, `pnpm exec`/`yarn exec`), if `init` knows it. */
function commandTestRunner(command: string): TestRunner | undefined {
  const words = command.trim().split(/\s+/).filter(Boolean);
  const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/;
  while (words.length > 0 && assignment.test(words[0] ?? '')) words.shift();
  if (words[0] === 'cross-env') {
    words.shift();
    while (words.length > 0 && assignment.test(words[0] ?? '')) words.shift();
  }
  if (words[0] === 'npx' || words[0] === 'bunx') words.shift();
  else if (['pnpm', 'yarn'].includes(words[0] ?? '') && words[1] === 'exec') words.splice(0, 2);
  const program = words[0];
  if (program === 'vitest' || program === 'jest' || program === 'mocha') return program;
  if (program === 'node' && words.includes('--test')) return 'node-test';
  if (program === 'pytest') return 'pytest';
  if ((program === 'python3' || program === 'python') && words[1] === '-m' && words[2] === 'pytest')
    return 'pytest';
  return undefined;
}

/**
 * The test runner a package.json script ends with: the program that gets the
 * extra arguments, since npm and pnpm append them to the whole script. Only a
 * script whose last command is a runner itself (after `npx`/`pnpm exec`, or
 * leading `NAME=value` words) counts; anything else gets no `args:`.
 */
export function nodeTestRunner(script: string): TestRunner | undefined {
  const last = script.split(/&&|\|\||[;|&]/).at(-1) ?? '';
  const runner = commandTestRunner(last);
  return runner === 'pytest' ? undefined : runner;
}

/**
 * The make variables a test target may pass to its runner. A fixed list of
 * names test Makefiles use for "which tests": never one make or the shell
 * reads itself (`SHELL`, `MAKEFLAGS`, `MAKEFILES`, `.SHELLFLAGS`, `VPATH`,
 * `PATH`, `NODE_OPTIONS`...), since make also exports a command-line
 * variable to the recipe's environment.
 */
export const makeTestVariables: readonly string[] = [
  'TESTS',
  'TEST',
  'TEST_FILES',
  'TESTFILES',
  'TEST_FILE',
  'FILE',
  'FILES',
  'ARGS',
  'TEST_ARGS',
  'TESTARGS',
  'SPEC',
  'SPECS',
];

/**
 * The `args:` rule of a Makefile test target that passes `$(VARIABLE)` to its
 * runner: exactly one argument, `VARIABLE=<path inside the project>`.
 *
 * make reads an argument with `=` as a variable assignment, and any other
 * argument as an option (`-f`, `-C`, `--eval`, `-e`) or a goal (another
 * target); the pattern admits neither, names the one variable (so never
 * `SHELL=`, `MAKEFLAGS=` or `MAKEFILES=`), and its value is a relative path
 * by the same spelling rule as the runners' (no `$`, `(`, whitespace or `=`,
 * so make expands nothing in it, and it never starts with `-`, so the runner
 * reads it as a file). One argument only: a second would just set it again.
 */
export function makeArgsRule(variable: string): TestArgsRule {
  if (!makeTestVariables.includes(variable))
    throw new Error(`not a make test variable: ${variable}`);
  return {
    pattern: `${variable}=${relativePath}`,
    max: 1,
    allowOptions: false,
    summary: `one test file or folder inside the project, as ${variable}=PATH`,
    example: [`${variable}=test/example.test.js`],
  };
}

/** The make variable an `args:` pattern is {@link makeArgsRule}'s for, if it is exactly one. */
export function makeArgsVariable(pattern: string): string | undefined {
  const variable = /^([A-Z_]+)=/.exec(pattern)?.[1];
  if (variable === undefined || !makeTestVariables.includes(variable)) return undefined;
  return makeArgsRule(variable).pattern === pattern ? variable : undefined;
}

/**
 * The variable a Makefile's test target passes to a known test runner, for
 * {@link makeArgsRule}. Only a plain use counts: one recipe command that runs
 * pytest, vitest, jest, mocha or `node --test` with the word `$(VARIABLE)`
 * (or `${VARIABLE}`), and elsewhere in the Makefile only plain definitions
 * of it (`VARIABLE ?= …`, `=`, `:=`, `::=`, at the start of a line). Any
 * other mention (`override`, a target-specific value, `$(eval …)`, a second
 * use) gives no `args:`: the value would reach somewhere init cannot see.
 * `recipe` is the target's recipe lines (see `makeRecipe`).
 */
export function makeTestVariable(text: string, recipe: readonly string[]): string | undefined {
  const uses: string[] = [];
  for (const line of recipe) {
    for (const command of line.split(/&&|\|\||[;|&\n]/)) {
      if (commandTestRunner(command) === undefined) continue;
      for (const word of command.trim().split(/\s+/)) {
        const name = /^\$(?:\(([A-Z_]+)\)|\{([A-Z_]+)\})$/.exec(word);
        const variable = name?.[1] ?? name?.[2];
        if (variable !== undefined && makeTestVariables.includes(variable)) uses.push(variable);
      }
    }
  }
  if (uses.length !== 1) return undefined;
  const variable = uses[0] as string;
  // A definition is overridden by the command line; any other mention counts as a use.
  const mention = new RegExp(`(?<![A-Za-z0-9_])${variable}(?![A-Za-z0-9_])`, 'g');
  const definition = new RegExp(`^${variable}[ \\t]*(?:\\?=|:{0,3}=)`);
  let used = 0;
  for (const line of text.split(/\r?\n/)) {
    const count = line.match(mention)?.length ?? 0;
    used += definition.test(line) ? count - 1 : count;
  }
  return used === 1 ? variable : undefined;
}
