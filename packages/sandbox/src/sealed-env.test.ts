import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSandboxError } from './sandbox-error.js';
import { buildSealedEnv, forbiddenEnvReason } from './sealed-env.js';

describe('buildSealedEnv', () => {
  it('is the baseline plus the variables passed, and nothing from process.env', () => {
    process.env.IRONRUN_UNIT_CANARY = 'leak';
    try {
      const env = buildSealedEnv({ API_TOKEN: 't0ken-value' }, '/usr/bin:/bin', 'linux');
      expect(Object.keys(env).sort()).toEqual([
        'API_TOKEN',
        'HOME',
        'LANG',
        'PATH',
        'TERM',
        'TMPDIR',
      ]);
      expect(env).toMatchObject({
        PATH: '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        TERM: 'dumb',
        TMPDIR: '/tmp',
        API_TOKEN: 't0ken-value',
      });
    } finally {
      delete process.env.IRONRUN_UNIT_CANARY;
    }
  });

  it('takes HOME from the password database, not from $HOME', () => {
    const saved = process.env.HOME;
    process.env.HOME = '/agent/controlled/home';
    try {
      expect(buildSealedEnv({}, '/bin').HOME).not.toBe('/agent/controlled/home');
    } finally {
      process.env.HOME = saved;
    }
  });

  it('uses a UTF-8 locale that exists on macOS there', () => {
    expect(buildSealedEnv({}, '/bin', 'darwin').LANG).toBe('en_US.UTF-8');
  });

  it('refuses malformed names and NUL values without echoing the value (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (secret) => {
        const value = `${secret}\0`;
        try {
          buildSealedEnv({ TOKEN: value }, '/bin');
          return false;
        } catch (error) {
          return (
            isSandboxError(error) &&
            error.code === 'INVALID_OPTIONS' &&
            !error.message.includes(value)
          );
        }
      }),
    );
    for (const name of ['', 'A=B', 'A\0B']) {
      expect(() => buildSealedEnv({ [name]: 'x' }, '/bin')).toThrow(/env name/);
    }
  });
});

describe('forbiddenEnvReason', () => {
  it.each([
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_AUDIT',
    'DYLD_INSERT_LIBRARIES',
    'DYLD_LIBRARY_PATH',
    'NODE_OPTIONS',
    'BASH_ENV',
    'ENV',
    'BASH_FUNC_echo%%',
    'SHELLOPTS',
    'BASHOPTS',
    'GCONV_PATH',
    'PATH',
  ])('forbids %s', (name) => {
    expect(forbiddenEnvReason(name)).toBeTypeOf('string');
  });

  it.each([
    'NODE_ENV',
    'HOME',
    'LANG',
    'AWS_SECRET_ACCESS_KEY',
    'LDFLAGS',
    'ENVIRONMENT',
    'PYTHONPATH',
  ])('allows %s', (name) => {
    expect(forbiddenEnvReason(name)).toBeUndefined();
  });
});
