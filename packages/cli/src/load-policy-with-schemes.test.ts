import { describe, expect, it } from 'vitest';
import { providerNameOf } from './load-policy-with-schemes.js';

describe('providerNameOf', () => {
  it('reads the inline and the mapping forms', () => {
    expect(providerNameOf('version: 1\nprovider: envfile\n')).toBe('envfile');
    expect(providerNameOf('version: 1\nprovider: "@acme/ironrun-provider-x" # note\n')).toBe(
      '@acme/ironrun-provider-x',
    );
    expect(
      providerNameOf(
        'version: 1\nprovider:\n  # comment\n  file: x\n  name: ironrun-provider-example\ncommands: []\n',
      ),
    ).toBe('ironrun-provider-example');
  });

  it('finds nothing when there is no top-level provider', () => {
    expect(providerNameOf('version: 1\ncommands:\n  - provider: x\n')).toBeUndefined();
  });
});
