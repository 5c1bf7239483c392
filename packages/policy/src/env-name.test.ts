import { describe, expect, it } from 'vitest';
import { envNamePattern, forbiddenEnvReason } from './env-name.js';

describe('forbiddenEnvReason', () => {
  it.each([
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_AUDIT',
    'DYLD_INSERT_LIBRARIES',
    'NODE_OPTIONS',
    'BASH_ENV',
    'ENV',
    'PATH',
  ])('forbids %s', (name) => {
    expect(forbiddenEnvReason(name)).toEqual(expect.any(String));
  });

  it('forbids names regardless of case, as Windows reads them', () => {
    expect(forbiddenEnvReason('Path')).toContain('path:');
    expect(forbiddenEnvReason('ld_preload')).toContain('LD_');
  });

  it.each(['STRIPE_SECRET', 'NODE_ENV', 'HOME', 'PATHS', 'MY_PATH', 'ENVIRONMENT', 'OLD_PRELOAD'])(
    'allows %s',
    (name) => {
      expect(forbiddenEnvReason(name)).toBeUndefined();
    },
  );
});

describe('envNamePattern', () => {
  it('accepts portable names and refuses the rest', () => {
    expect(envNamePattern.test('_A1')).toBe(true);
    expect(envNamePattern.test('1A')).toBe(false);
    expect(envNamePattern.test('A-B')).toBe(false);
    expect(envNamePattern.test('A=B')).toBe(false);
    expect(envNamePattern.test('')).toBe(false);
  });
});
