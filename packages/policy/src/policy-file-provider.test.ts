import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type PolicyFile, policyFileProvider } from './load-policy.js';

/** A policy file as readPolicyFile returns it, made from text. */
function fileOf(text: string): PolicyFile {
  const bytes = new TextEncoder().encode(text);
  return {
    path: 'ironrun.yml',
    realPath: '/srv/app/ironrun.yml',
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    text,
    fingerprint: '',
  };
}

/** The provider name of a policy text, as core reads it before validating (it was core's providerNameOf). */
const providerNameOf = (text: string) => policyFileProvider(fileOf(text));

describe('policyFileProvider', () => {
  it('reads the inline, the block and the flow mapping forms', () => {
    expect(providerNameOf('version: 1\nprovider: envfile\n')).toBe('envfile');
    expect(providerNameOf('version: 1\nprovider: "@acme/ironrun-provider-x" # note\n')).toBe(
      '@acme/ironrun-provider-x',
    );
    expect(
      providerNameOf(
        'version: 1\nprovider:\n  # comment\n  file: x\n  name: ironrun-provider-example\ncommands: []\n',
      ),
    ).toBe('ironrun-provider-example');
    expect(providerNameOf('provider: { name: ironrun-provider-x, file: y }\n')).toBe(
      'ironrun-provider-x',
    );
  });

  it('finds nothing when there is no top-level provider, or the YAML does not parse', () => {
    expect(providerNameOf('version: 1\ncommands:\n  - provider: x\n')).toBeUndefined();
    expect(providerNameOf('provider: [a, b]\n')).toBeUndefined();
    expect(providerNameOf('provider: a\nprovider: b\n')).toBeUndefined();
    expect(providerNameOf('provider: "unterminated\n')).toBeUndefined();
    expect(providerNameOf('- a list\n')).toBeUndefined();
  });
});
