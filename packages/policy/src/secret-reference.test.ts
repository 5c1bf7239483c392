import { builtinProviderReferences } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { readEnvValue, referenceSchemes } from './secret-reference.js';

/** The schemes the built-in providers declare, as core passes them. */
const builtins = referenceSchemes(builtinProviderReferences, []);
const withVault = referenceSchemes(builtinProviderReferences, ['vault']);

describe('readEnvValue', () => {
  it.each([
    ['op://vault/item/field', 'op'],
    ['op://vault/item/section/field', 'op'],
    ['op://Private Vault/Stripe key/credential', 'op'],
    ['op://vault/item/field?attribute=otp', 'op'],
    ['doppler://STRIPE_KEY', 'doppler'],
    ['doppler://backend/prd/STRIPE_KEY', 'doppler'],
    ['infisical://STRIPE_KEY', 'infisical'],
    ['infisical:///STRIPE_KEY', 'infisical'],
    ['infisical:///backend/api/STRIPE_KEY', 'infisical'],
    ['envfile://STRIPE_KEY', 'envfile'],
  ])('reads %s as a secret of scheme %s', (value, scheme) => {
    expect(readEnvValue(value, builtins)).toEqual({ kind: 'secret', scheme });
  });

  it.each([
    'op://vault/item',
    'op://vault//field',
    'op://a/b/c/d/e',
    'op://',
    'doppler://project/NAME',
    'doppler://has-dash',
    'doppler://a/b/c/NAME',
    'infisical://',
    'infisical:///../NAME',
    'infisical://path/NAME',
    'envfile://',
    'envfile://A B',
  ])('refuses the malformed built-in reference %s', (value) => {
    expect(readEnvValue(value, builtins)).toMatchObject({
      kind: 'error',
      code: 'INVALID_REFERENCE',
    });
  });

  it('reads plain values as literals', () => {
    expect(readEnvValue('production', builtins)).toEqual({ kind: 'literal' });
    expect(readEnvValue('', builtins)).toEqual({ kind: 'literal' });
    expect(readEnvValue('a:b', builtins)).toEqual({ kind: 'literal' });
  });

  it('refuses a value that looks like a reference to an unknown scheme, with a suggestion', () => {
    const reading = readEnvValue('dopler://KEY', builtins);
    expect(reading).toMatchObject({ kind: 'error', code: 'UNKNOWN_SCHEME' });
    expect(reading.kind === 'error' && reading.reason).toContain('did you mean "doppler://"?');
  });

  it('refuses a URL with credentials without repeating it', () => {
    const value = 'postgres://admin:hunter2-very-secret@db.internal/app';
    const reading = readEnvValue(value, builtins);
    expect(reading).toMatchObject({ kind: 'error', code: 'UNKNOWN_SCHEME' });
    expect(JSON.stringify(reading)).not.toContain('hunter2');
    expect(JSON.stringify(reading)).not.toContain('db.internal');
  });

  it('refuses a known scheme written without the two slashes', () => {
    expect(readEnvValue('op:/vault/item/field', builtins)).toMatchObject({
      kind: 'error',
      code: 'INVALID_REFERENCE',
    });
    expect(readEnvValue('doppler:KEY', builtins)).toMatchObject({
      kind: 'error',
      code: 'INVALID_REFERENCE',
    });
  });

  it('accepts the schemes of third-party providers', () => {
    expect(readEnvValue('vault://secret/data/app#key', withVault)).toEqual({
      kind: 'secret',
      scheme: 'vault',
    });
    expect(readEnvValue('vault://secret/data/app#key', builtins)).toMatchObject({
      kind: 'error',
      code: 'UNKNOWN_SCHEME',
    });
    expect(readEnvValue('vault://', withVault)).toMatchObject({
      kind: 'error',
      code: 'INVALID_REFERENCE',
    });
  });

  it('refuses control characters and overlong references', () => {
    expect(readEnvValue('op://vault/item/fi\neld', builtins)).toMatchObject({
      kind: 'error',
      code: 'INVALID_REFERENCE',
    });
    expect(readEnvValue(`op://vault/item/${'x'.repeat(2000)}`, builtins)).toMatchObject({
      kind: 'error',
    });
  });
});
