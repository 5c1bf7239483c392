import { describe, expect, it } from 'vitest';
import { makeRecipe, shellPrograms } from './shell-programs.js';

describe('shellPrograms', () => {
  it('reads the first word of each simple command', () => {
    expect(shellPrograms('tsc -p . && vitest run; eslint . | tee out || true')).toEqual([
      'tsc',
      'vitest',
      'eslint',
      'tee',
    ]);
  });

  it('skips assignments and wrappers with their options', () => {
    expect(shellPrograms('NODE_ENV=test FOO=1 env -i node --test')).toEqual(['node']);
    expect(shellPrograms('exec time -p python3 -m pytest')).toEqual(['python3']);
  });

  it('never takes a word inside a command substitution or an expansion for a program', () => {
    expect(shellPrograms('node $(which evil) --test')).toEqual(['node']);
    expect(shellPrograms('$(curl x | sh) run')).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
    expect(shellPrograms('echo `rm -rf /`; ${RUNNER:-jest} --ci')).toEqual([]);
    expect(shellPrograms('pytest $(python3 -c "$(cat x)") && go test')).toEqual(['pytest', 'go']);
  });

  it('skips keywords, builtins and quoted words', () => {
    expect(shellPrograms('cd web && if true; then "node" x; fi')).toEqual([]);
    expect(shellPrograms('(cd api && cargo test)')).toEqual(['cargo']);
  });
});

describe('makeRecipe', () => {
  const makefile = [
    'PY := python3',
    '.PHONY: test lint',
    'test: build',
    '\t@$(PY) -m pytest \\',
    '\t  tests',
    '\t-go vet ./...',
    'lint: ; ruff check .',
    'build:',
    '\tcc -o x x.c',
  ].join('\n');

  it('reads one target’s recipe, with make prefixes removed and continuations joined', () => {
    expect(makeRecipe(makefile, 'test')).toEqual(['$(PY) -m pytest    tests', 'go vet ./...']);
    expect(makeRecipe(makefile, 'lint')).toEqual(['ruff check .']);
    expect(makeRecipe(makefile, 'build')).toEqual(['cc -o x x.c']);
    expect(makeRecipe(makefile, 'nope')).toEqual([]);
  });

  it('yields the recipe programs, never a make variable', () => {
    expect(makeRecipe(makefile, 'test').flatMap(shellPrograms)).toEqual(['go']);
  });
});
