import { isProviderError } from '@ironrun/provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { provider } from './provider.js';
import { parseDopplerReference } from './reference.js';

/** The reference syntax this package declares, as the policy compiles it. */
const declared = new RegExp(`^(?:${manifest.ironrun.references.doppler.pattern})$`);

/** Whether the provider's own parser takes the reference (a CONFIG error is about options, not syntax). */
function parses(ref: string): boolean {
  try {
    parseDopplerReference(ref, { project: 'p', config: 'c' });
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
    'doppler://STRIPE_KEY',
    'doppler://backend/prd/STRIPE_KEY',
    'doppler://lower',
    'doppler://a/STRIPE',
    'doppler://a/b/c/D',
    'doppler://',
    'doppler://-x/prd/K',
  ])('the declared reference syntax and the parser agree on %s', (ref) => {
    expect(declared.test(ref), ref).toBe(parses(ref));
  });

  it('the declared reference syntax and the parser agree on generated references', () => {
    const unit = fc.constantFrom(...['A', 'z', '_', '.', '-', '1', '/', ' ', '?']);
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (rest) => {
        const ref = `doppler://${rest}`;
        expect(declared.test(ref), ref).toBe(parses(ref));
      }),
      { numRuns: 3000 },
    );
  });
});
