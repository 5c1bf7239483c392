import { describe, expect, it } from 'vitest';
import { formatIssues, isPolicyError, PolicyError } from './policy-error.js';

describe('PolicyError', () => {
  it('carries its name, code, issues, file name and cause', () => {
    const cause = new Error('disk');
    const issue = {
      code: 'UNKNOWN_KEY' as const,
      message: 'tll: unknown key',
      path: ['tll'],
      line: 2,
      column: 3,
    };
    const error = new PolicyError('INVALID_POLICY', 'bad', {
      issues: [issue],
      filename: 'ironrun.yml',
      cause,
    });
    expect(error.name).toBe('PolicyError');
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.issues).toEqual([issue]);
    expect(error.filename).toBe('ironrun.yml');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(Object.isFrozen(error.issues)).toBe(true);
  });
});

describe('isPolicyError', () => {
  it('recognizes a PolicyError, also from another copy of the package', () => {
    expect(isPolicyError(new PolicyError('ARGS_REJECTED', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { [Symbol.for('ironrun.PolicyError')]: true });
    expect(isPolicyError(foreign)).toBe(true);
  });

  it('rejects everything else', () => {
    expect(isPolicyError(new Error('x'))).toBe(false);
    expect(isPolicyError({ name: 'PolicyError', code: 'INVALID_POLICY' })).toBe(false);
    expect(isPolicyError(null)).toBe(false);
    expect(isPolicyError('PolicyError')).toBe(false);
  });
});

describe('formatIssues', () => {
  it('writes one file:line:col: message line per issue', () => {
    expect(
      formatIssues('ironrun.yml', [
        { code: 'UNKNOWN_KEY', message: 'a', path: [], line: 1, column: 2 },
        { code: 'INVALID_VALUE', message: 'b', path: [], line: 3, column: 4 },
      ]),
    ).toBe('ironrun.yml:1:2: a\nironrun.yml:3:4: b');
  });
});
