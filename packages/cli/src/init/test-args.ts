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

/**
 * The test runner a package.json script ends with: the program that gets the
 * extra arguments, since npm and pnpm append them to the whole script. Only a
 * script whose last command is a runner itself (after `npx`/`pnpm exec`, or
 * leading `NAME=value` words) counts; anything else gets no `args:`.
 */
export function nodeTestRunner(script: string): TestRunner | undefined {
  const last = script.split(/&&|\|\||[;|&]/).at(-1) ?? '';
  const words = last.trim().split(/\s+/).filter(Boolean);
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
  return undefined;
}
