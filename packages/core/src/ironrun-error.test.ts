import { describe, expect, it } from 'vitest';
import { IronrunError, isIronrunError } from './ironrun-error.js';

describe('IronrunError', () => {
  it('carries its code, command, references and cause', () => {
    const cause = new Error('inner');
    const error = new IronrunError('SECRET_MISSING', 'ironrun: missing', {
      cause,
      commandId: 'deploy',
      refs: ['envfile://KEY'],
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('IronrunError');
    expect(error.code).toBe('SECRET_MISSING');
    expect(error.commandId).toBe('deploy');
    expect(error.refs).toEqual(['envfile://KEY']);
    expect(error.cause).toBe(cause);
  });
});

describe('isIronrunError', () => {
  it('recognizes an error from another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('ironrun.IronrunError')]: true });
    expect(isIronrunError(foreign)).toBe(true);
    expect(isIronrunError(new IronrunError('POLICY', 'x'))).toBe(true);
  });

  it('rejects look-alikes', () => {
    expect(
      isIronrunError(Object.assign(new Error('x'), { code: 'POLICY', name: 'IronrunError' })),
    ).toBe(false);
    expect(isIronrunError(null)).toBe(false);
    expect(isIronrunError('IronrunError')).toBe(false);
  });
});
