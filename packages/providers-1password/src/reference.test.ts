import { Secrets } from '@1password/sdk';
import { isProviderError } from '@ironrun/provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOnePasswordReference } from './reference.js';

const name = fc
  .stringMatching(/^[A-Za-z0-9_.-]([A-Za-z0-9_. -]{0,12}[A-Za-z0-9_.-])?$/)
  .filter((text) => !/^\.+$/.test(text));

describe('parseOnePasswordReference', () => {
  it('parses op://vault/item/field', () => {
    expect(parseOnePasswordReference('op://dev/Stripe/publishable-key')).toEqual({
      ref: 'op://dev/Stripe/publishable-key',
      vault: 'dev',
      item: 'Stripe',
      field: 'publishable-key',
      query: {},
    });
  });

  it('parses op://vault/item/section/field with spaces and a query', () => {
    expect(
      parseOnePasswordReference('op://Management/Pager Duty/Admin/one-time password?attribute=otp'),
    ).toEqual({
      ref: 'op://Management/Pager Duty/Admin/one-time password?attribute=otp',
      vault: 'Management',
      item: 'Pager Duty',
      section: 'Admin',
      field: 'one-time password',
      query: { attribute: 'otp' },
    });
  });

  it.each([
    'op://vault/item',
    'op://vault/item/a/b/c',
    'op://vault//field',
    'op:// vault/item/field',
    'op://vault/item/field ',
    'op://vault/item/fi"eld',
    'op://vault/item/field?attribute=otp&attribute=totp',
    'op://vault/item/field?unknown=1',
    'op://vault/item/field\n',
    'op://vault/item/field?attribute=type',
    'op://vault/item/field?attribute=otp&ssh-format=openssh',
    'op://../item/field',
    'OP://vault/item/field',
    'op://vault/item/fïeld',
  ])('refuses %j offline with INVALID_REFERENCE', (ref) => {
    expect(() => parseOnePasswordReference(ref)).toThrow(
      expect.objectContaining({ code: 'INVALID_REFERENCE', refs: [ref] }),
    );
  });

  it('accepts only references the 1Password SDK also accepts', () => {
    fc.assert(
      fc.property(
        fc.array(name, { minLength: 3, maxLength: 4 }),
        fc.option(fc.constantFrom('?attribute=otp', '?attribute=totp', '?ssh-format=openssh'), {
          nil: '',
        }),
        (parts, query) => {
          const ref = `op://${parts.join('/')}${query}`;
          parseOnePasswordReference(ref);
          expect(() => Secrets.validateSecretReference(ref)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws anything but a ProviderError, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((tail) => `op://${tail}`),
        ),
        (ref) => {
          try {
            const parsed = parseOnePasswordReference(ref);
            expect([parsed.vault, parsed.item, parsed.field].every((part) => part.length > 0)).toBe(
              true,
            );
          } catch (error) {
            expect(isProviderError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
