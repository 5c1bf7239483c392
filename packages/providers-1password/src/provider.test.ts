import { isProviderError } from '@ironrun/provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { provider } from './provider.js';
import { parseOnePasswordReference } from './reference.js';

/** The reference syntax this package declares, as the policy compiles it. */
const declared = new RegExp(`^(?:${manifest.ironrun.references.op.pattern})$`);

/** Whether the provider's own parser takes the reference (a CONFIG error is about options, not syntax). */
function parses(ref: string): boolean {
  try {
    parseOnePasswordReference(ref);
    return true;
  } catch (error) {
    if (isProviderError(error) && error.code === 'INVALID_REFERENCE') return false;
    throw error;
  }
}

describe('provider', () => {
  it('claims exactly the schemes its package.json declares', () => {
    expect([...provider.schemes]).toEqual(manifest.ironrun.schemes);
  });

  it.each([
    'op://vault/item/field',
    'op://Private Vault/Stripe key/credential',
    'op://v/i/s/f',
    'op://v/i/f?attribute=otp',
    'op://v/i/f?ssh-format=openssh',
    'op://v/i/f?attribute=x',
    'op://v/i',
    'op://v/i/s/f/g',
    'op://../i/f',
    'op://v/ i/f',
    'op://v/i/f#x',
  ])('the declared reference syntax and the parser agree on %s', (ref) => {
    expect(declared.test(ref), ref).toBe(parses(ref));
  });

  it('the declared reference syntax and the parser agree on generated references', () => {
    const unit = fc.constantFrom(
      ...[
        'a',
        'Z',
        '1',
        '_',
        '.',
        '-',
        ' ',
        '/',
        '?',
        '=',
        '&',
        'attribute=otp',
        'ssh-format=openssh',
      ],
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (rest) => {
        const ref = `op://${rest}`;
        expect(declared.test(ref), ref).toBe(parses(ref));
      }),
      { numRuns: 3000 },
    );
  });
});
