import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { detectProject } from './project-tasks.js';

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
