import { isProviderError } from '@ironrun/provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { provider } from './provider.js';
import { parseInfisicalReference } from './reference.js';

/** The reference syntax this package declares, as the policy compiles it. */
const declared = new RegExp(`^(?:${manifest.ironrun.references.infisical.pattern})$`);

/** Whether the provider's own parser takes the reference (a CONFIG error is about options, not syntax). */
function parses(ref: string): boolean {
  try {
    parseInfisicalReference(ref, { projectId: 'p', environment: 'dev', path: '/' });
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
    'infisical://KEY',
    'infisical:///a/b/KEY',
    'infisical://KEY?env=prod',
    'infisical://KEY?env=prod&project=p1',
    'infisical://KEY?project=p&env=e',
    'infisical://KEY?env=a&env=b',
    'infisical://a/KEY',
    'infisical:///../KEY',
    'infisical://..',
    'infisical:///a//K',
    'infisical://K?',
    'infisical://',
  ])('the declared reference syntax and the parser agree on %s', (ref) => {
    expect(declared.test(ref), ref).toBe(parses(ref));
  });

  it('the declared reference syntax and the parser agree on generated references', () => {
    const unit = fc.constantFrom(
      ...['A', 'z', '_', '.', '-', '1', '/', '?', '&', '=', 'env=', 'project='],
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (rest) => {
        const ref = `infisical://${rest}`;
        expect(declared.test(ref), ref).toBe(parses(ref));
      }),
      { numRuns: 3000 },
    );
  });
});
