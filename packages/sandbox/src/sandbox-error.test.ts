import { describe, expect, it } from 'vitest';
import { isSandboxError, SandboxError } from './sandbox-error.js';

describe('SandboxError', () => {
  it('carries its name, code and cause', () => {
    const cause = new Error('low level');
    const error = new SandboxError('NOT_FOUND', 'program "x" was not found', { cause });
    expect(error).toMatchObject({
      name: 'SandboxError',
      code: 'NOT_FOUND',
      message: 'program "x" was not found',
      cause,
    });
  });
});

describe('isSandboxError', () => {
  it('recognises an error from another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('ironrun.SandboxError')]: true,
      code: 'SPAWN_FAILED',
    });
    expect(isSandboxError(foreign)).toBe(true);
    expect(isSandboxError(new SandboxError('SPAWN_FAILED', 'x'))).toBe(true);
  });

  it('rejects other values', () => {
    for (const value of [new Error('x'), { code: 'NOT_FOUND' }, null, undefined, 'SandboxError']) {
      expect(isSandboxError(value)).toBe(false);
    }
  });
});
