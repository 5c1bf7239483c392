import { IronrunError } from '@ironrun/core';
import { describe, expect, it } from 'vitest';
import { toCliError } from './error-mapping.js';
import { ExitCode } from './exit-code.js';

/** An error as another copy of a package would throw it: matched by name and code only. */
function foreignError(name: string, code: string, message: string): Error {
  return Object.assign(new Error(message), { name, code });
}

describe('toCliError', () => {
  it('maps REDACTOR to the provider exit code with the core message, not "Unexpected error"', () => {
    const error = new IronrunError(
      'REDACTOR',
      'ironrun: deploy did not start: the value of STRIPE cannot be redacted',
      { commandId: 'deploy' },
    );
    const mapped = toCliError(error);
    expect(mapped.code).toBe('PROVIDER');
    expect(mapped.exitCode).toBe(ExitCode.PROVIDER);
    expect(mapped.message).toBe(error.message);
    expect(mapped.hints.join('\n')).toMatch(/cannot be redacted/);
  });

  it('maps SECRETS_HOOK to the sandbox exit code (the command did not start)', () => {
    const error = new IronrunError(
      'SECRETS_HOOK',
      'ironrun: deploy did not start: the onSecretsResolved hook failed (TypeError)',
    );
    const mapped = toCliError(error);
    expect(mapped.code).toBe('SANDBOX');
    expect(mapped.exitCode).toBe(ExitCode.SANDBOX);
    expect(mapped.message).toBe(error.message);
    expect(mapped.message).not.toMatch(/Unexpected error/);
  });

  it('keeps the old mappings of core, policy, provider, sandbox and redactor codes', () => {
    expect(toCliError(new IronrunError('TRUST_CHANGED', 'changed')).exitCode).toBe(
      ExitCode.UNTRUSTED,
    );
    expect(toCliError(new IronrunError('CANCELED', 'canceled')).code).toBe('CONFIRM_DECLINED');
    expect(toCliError(new IronrunError('SECRET_TOO_SHORT', 'short')).code).toBe('PROVIDER');
    expect(toCliError(foreignError('PolicyError', 'TRUST_STORE', 'x')).code).toBe('UNTRUSTED');
    expect(toCliError(foreignError('PolicyError', 'READ_FAILED', 'x')).code).toBe('POLICY_INVALID');
    expect(toCliError(foreignError('PolicyError', 'ARGS_REJECTED', 'x')).code).toBe(
      'ARGS_REJECTED',
    );
    expect(toCliError(foreignError('ProviderError', 'NOT_FOUND', 'x')).code).toBe('SECRET_MISSING');
    expect(toCliError(foreignError('ProviderError', 'AUTH', 'x')).code).toBe('PROVIDER');
    expect(toCliError(foreignError('SandboxError', 'NOT_ALLOWED', 'x')).code).toBe('SANDBOX');
    expect(toCliError(foreignError('RedactorError', 'SECRET_TOO_SHORT', 'x')).code).toBe(
      'PROVIDER',
    );
    expect(toCliError(foreignError('Error', 'ENOENT', 'x')).code).toBe('IO');
  });

  it('maps a code a newer package adds to that package family, and a core one to INTERNAL', () => {
    expect(toCliError(foreignError('ProviderError', 'BRAND_NEW', 'x')).code).toBe('PROVIDER');
    const unknownCore = toCliError(foreignError('IronrunError', 'BRAND_NEW', 'boom'));
    expect(unknownCore.exitCode).toBe(ExitCode.INTERNAL);
    expect(unknownCore.message).toBe('Unexpected error: boom');
  });

  it('is not fooled by an error named or coded after an Object prototype key', () => {
    expect(toCliError(foreignError('constructor', 'x', 'a')).code).toBe('INTERNAL');
    expect(toCliError(foreignError('IronrunError', 'toString', 'b')).code).toBe('INTERNAL');
    expect(toCliError(foreignError('PolicyError', '__proto__', 'c')).code).toBe('POLICY_INVALID');
  });

  it('never copies the text of the cause into the message or the hints', () => {
    const secret = 'sk_live_cause_must_not_surface_9f3a';
    const mapped = toCliError(
      new IronrunError('SECRETS_HOOK', 'ironrun: deploy did not start', {
        cause: new Error(`hook saw ${secret}`),
      }),
    );
    expect(`${mapped.message}\n${mapped.hints.join('\n')}`).not.toContain(secret);
  });
});
