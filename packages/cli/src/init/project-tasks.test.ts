import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { detectProject } from './project-tasks.js';
import { makeArgsRule } from './test-args.js';

let dir: TestDir | undefined;
afterEach(async () => {
  await dir?.cleanup();
});

describe('detectProject', () => {
  it('reads package.json scripts with the project package manager', async () => {
    dir = await testdir({
      'package.json': JSON.stringify({
        scripts: { test: 'vitest', build: 'tsup', start: 'node .' },
      }),
      'pnpm-lock.yaml': '',
    });
    const facts = detectProject(dir.dir);
    expect(facts.kinds).toEqual(['node']);
    expect(facts.tasks).toEqual([
      {
        id: 'test',
        argv: ['pnpm', 'run', 'test'],
        definedIn: 'package.json',
        pinPart: 'scripts.test',
        description: 'pnpm run test (package.json script)',
        args: expect.objectContaining({ allowOptions: true }),
      },
      {
        id: 'build',
        argv: ['pnpm', 'run', 'build'],
        definedIn: 'package.json',
        pinPart: 'scripts.build',
        description: 'pnpm run build (package.json script)',
      },
    ]);
  });

  it('reads Makefile targets, Cargo, go.mod and pyproject, first ecosystem winning each id', async () => {
    dir = await testdir({
      Makefile: 'test:\n\tgo test ./...\nfmt:\n\tgofmt\nVAR := 1\n.PHONY: test\n',
      'go.mod': 'module x\n',
      'Cargo.toml': '[package]\nname="x"\n',
      'pyproject.toml': '[tool.ruff]\nline-length = 100\n',
    });
    const facts = detectProject(dir.dir);
    expect(facts.kinds).toEqual(['make', 'python', 'rust', 'go']);
    const byId = Object.fromEntries(facts.tasks.map((task) => [task.id, task.argv.join(' ')]));
    expect(byId).toMatchObject({
      test: 'make test',
      format: 'make fmt',
      lint: 'ruff check .',
      build: 'cargo build',
      check: 'go vet ./...',
    });
  });

  it('finds nothing in an empty folder', async () => {
    dir = await testdir();
    expect(detectProject(dir.dir)).toEqual({ kinds: [], tasks: [] });
  });
});

describe('detectProject: a project venv', () => {
  it('runs pytest, ruff and mypy with the python of the project .venv', async () => {
    dir = await testdir({
      'pyproject.toml': '[tool.ruff]\n[tool.mypy]\n',
      '.venv/pyvenv.cfg': 'home = /usr/bin\n',
      '.venv/bin/python3': '',
    });
    const argv = detectProject(dir.dir).tasks.map((task) => task.argv);
    expect(argv).toEqual([
      ['.venv/bin/python3', '-m', 'pytest'],
      ['.venv/bin/python3', '-m', 'ruff', 'check', '.'],
      ['.venv/bin/python3', '-m', 'mypy', '.'],
    ]);
  });

  it('keeps python3 and the tools by name without a pyvenv.cfg', async () => {
    dir = await testdir({ 'pyproject.toml': '[tool.ruff]\n', '.venv/bin/python3': '' });
    const argv = detectProject(dir.dir).tasks.map((task) => task.argv);
    expect(argv).toEqual([
      ['python3', '-m', 'pytest'],
      ['ruff', 'check', '.'],
    ]);
  });
});

describe('detectProject: test arguments', () => {
  it('gives a vitest or jest test script files and -t, and npm a -- before them', async () => {
    dir = await testdir({ 'package.json': JSON.stringify({ scripts: { test: 'vitest run' } }) });
    const [test] = detectProject(dir.dir).tasks;
    expect(test?.argv).toEqual(['npm', 'run', 'test', '--']);
    expect(test?.args).toMatchObject({ allowOptions: true, max: 8 });
    expect(test?.args?.pattern.startsWith('-t|')).toBe(true);
  });

  it('gives pnpm no --, since it passes every word after the script name on', async () => {
    dir = await testdir({
      'package.json': JSON.stringify({ scripts: { test: 'jest', build: 'tsc' } }),
      'pnpm-lock.yaml': '',
    });
    const [test, build] = detectProject(dir.dir).tasks;
    expect(test?.argv).toEqual(['pnpm', 'run', 'test']);
    expect(test?.args?.pattern.startsWith('-t|')).toBe(true);
    expect(build?.args).toBeUndefined();
  });

  it('gives a script it cannot read no arguments', async () => {
    dir = await testdir({
      'package.json': JSON.stringify({ scripts: { test: 'node scripts/run-tests.js' } }),
    });
    const [test] = detectProject(dir.dir).tasks;
    expect(test?.argv).toEqual(['npm', 'run', 'test']);
    expect(test?.args).toBeUndefined();
  });

  it('gives a make test target that hands $(TESTS) to its runner TESTS=<path>, and other targets none', async () => {
    dir = await testdir({
      Makefile:
        'TESTS ?= test/\n.PHONY: test lint\ntest:\n\tnode --test $(TESTS)\nlint:\n\tnode --test $(FILE)\n',
    });
    const tasks = detectProject(dir.dir).tasks;
    expect(tasks.find((task) => task.id === 'test')?.args).toEqual(makeArgsRule('TESTS'));
    expect(tasks.find((task) => task.id === 'lint')?.args).toBeUndefined();
  });

  it('gives pytest, go test and cargo test their filters, and a make target none (NAME=value would set a variable)', async () => {
    dir = await testdir({
      Makefile: 'test:\n\techo ok\n',
      'pyproject.toml': '[tool.pytest.ini_options]\n',
      'go.mod': 'module x\n',
      'Cargo.toml': '[package]\nname="x"\n',
    });
    expect(detectProject(dir.dir).tasks.find((task) => task.id === 'test')?.args).toBeUndefined();
    await dir.cleanup();
    dir = await testdir({ 'pyproject.toml': '[tool.pytest.ini_options]\n' });
    expect(detectProject(dir.dir).tasks[0]?.args?.pattern.startsWith('-k|')).toBe(true);
    await dir.cleanup();
    dir = await testdir({ 'go.mod': 'module x\n' });
    expect(detectProject(dir.dir).tasks[0]?.args?.pattern.startsWith('-run|')).toBe(true);
    await dir.cleanup();
    dir = await testdir({ 'Cargo.toml': '[package]\nname="x"\n' });
    expect(detectProject(dir.dir).tasks[0]?.args?.allowOptions).toBe(false);
  });
});
