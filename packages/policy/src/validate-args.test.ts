import { describe, expect, it } from 'vitest';
import type { PolicyCommand } from './policy.js';
import { isPolicyError, type PolicyError } from './policy-error.js';
import { validateArgs } from './validate-args.js';

function command(args?: PolicyCommand['args']): PolicyCommand {
  return {
    id: 'migrate',
    argv: ['./migrate.sh'],
    env: {},
    ttlMs: 60_000,
    noNetwork: false,
    cwd: '/srv/app',
    allow: [],
    pin: [],
    confirm: false,
    maxOutputBytes: 16_384,
    ...(args === undefined ? {} : { args }),
  };
}

function rejection(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    if (isPolicyError(error)) return error;
    throw error;
  }
  throw new Error('expected ARGS_REJECTED');
}

const environments = command({ pattern: 'staging|production', maxCount: 1, allowOptions: false });

describe('validateArgs', () => {
  it('accepts arguments that match the pattern within the count', () => {
    expect(validateArgs(environments, ['staging'])).toEqual(['staging']);
    expect(
      validateArgs(command({ pattern: '[a-z]+', maxCount: 3, allowOptions: false }), [
        'a',
        'b',
        'c',
      ]),
    ).toEqual(['a', 'b', 'c']);
  });

  it('returns a copy, not the caller array', () => {
    const args = ['staging'];
    expect(validateArgs(environments, args)).not.toBe(args);
  });

  it('accepts no arguments, with or without a rule', () => {
    expect(validateArgs(command(), [])).toEqual([]);
    expect(validateArgs(environments, [])).toEqual([]);
  });

  it('refuses any argument when the command declares no args', () => {
    const error = rejection(() => validateArgs(command(), ['x']));
    expect(error.code).toBe('ARGS_REJECTED');
    expect(error.message).toBe('migrate: this command takes no extra arguments');
  });

  it('anchors the pattern, so a matching prefix or suffix is not enough', () => {
    expect(rejection(() => validateArgs(environments, ['staging; rm -rf /'])).code).toBe(
      'ARGS_REJECTED',
    );
    expect(rejection(() => validateArgs(environments, ['xstaging'])).code).toBe('ARGS_REJECTED');
    expect(rejection(() => validateArgs(environments, ['production\n--evil'])).code).toBe(
      'ARGS_REJECTED',
    );
  });

  it('attack: a pattern that closes the anchoring group is refused, so it accepts nothing', () => {
    // Each of these, wrapped as ^(?:P)$, turns into a top-level alternation
    // whose second branch accepts any argument.
    for (const escaping of ['staging)|(.*', 'staging)|(?:.*', 'x)|[\\s\\S]*|(?:x']) {
      const error = rejection(() =>
        validateArgs(command({ pattern: escaping, maxCount: 1, allowOptions: false }), [
          'anything; at all',
        ]),
      );
      expect(error.code).toBe('ARGS_REJECTED');
      expect(error.message).toContain('does not compile on its own');
    }
  });

  it('refuses more arguments than the count', () => {
    expect(rejection(() => validateArgs(environments, ['staging', 'production'])).message).toBe(
      'migrate: at most 1 extra argument, got 2',
    );
  });

  it('refuses option smuggling: an argument starting with "-" even when the pattern matches it', () => {
    const loose = command({ pattern: '.*', maxCount: 5, allowOptions: false });
    for (const smuggled of ['--upload-pack=touch /tmp/pwned', '-c', '--', '-']) {
      expect(rejection(() => validateArgs(loose, [smuggled])).message).toContain('starts with "-"');
    }
  });

  it('accepts options when the rule allows them', () => {
    const options = command({ pattern: '--[a-z]+', maxCount: 1, allowOptions: true });
    expect(validateArgs(options, ['--verbose'])).toEqual(['--verbose']);
  });

  it('refuses a NUL byte even where the pattern would match it', () => {
    const loose = command({ pattern: '[\\s\\S]*', maxCount: 1, allowOptions: false });
    expect(rejection(() => validateArgs(loose, ['a\0b'])).message).toBe(
      'migrate: extra argument 0 contains a NUL byte',
    );
  });

  it('refuses non-string arguments from an untyped caller', () => {
    const loose = command({ pattern: '.*', maxCount: 2, allowOptions: false });
    expect(rejection(() => validateArgs(loose, [42 as unknown as string])).message).toContain(
      'is not a string',
    );
    expect(rejection(() => validateArgs(loose, 'abc' as unknown as string[])).message).toContain(
      'list of strings',
    );
  });

  it('shortens a huge argument in the message instead of echoing it', () => {
    const huge = `x${'A'.repeat(4000)}`;
    const error = rejection(() => validateArgs(environments, [huge]));
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain('…');
  });

  it('refuses an argument longer than 4096 characters before matching it', () => {
    const loose = command({ pattern: '.*', maxCount: 1, allowOptions: false });
    expect(rejection(() => validateArgs(loose, ['a'.repeat(4097)])).message).toContain(
      'longer than 4096',
    );
  });
});
