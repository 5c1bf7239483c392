import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProviderPackageName } from './provider-package-name.js';

describe('isProviderPackageName', () => {
  it.each([
    'ironrun-provider-vault',
    '@acme/ironrun-provider-x',
    'ironrun-provider-example',
    'ironrun-provider-aws.sm',
  ])('accepts %s', (name) => {
    expect(isProviderPackageName(name)).toBe(true);
  });

  it.each([
    ['a package outside the convention', 'left-pad'],
    ['the bare prefix', 'ironrun-provider-'],
    ['a scoped package outside the convention', '@acme/vault'],
    ['a parent-directory path', '../ironrun-provider-x'],
    ['a relative path', './ironrun-provider-x'],
    ['an absolute path', '/tmp/ironrun-provider-x'],
    ['a deep import', 'ironrun-provider-x/dist/index.js'],
    ['a scoped deep import', '@acme/ironrun-provider-x/evil'],
    ['a file URL', 'file:///tmp/ironrun-provider-x'],
    ['upper case', 'Ironrun-Provider-X'],
    ['a scope of dots', '@../ironrun-provider-x'],
    ['a backslash path', '..\\ironrun-provider-x'],
    ['a node: builtin', 'node:ironrun-provider-x'],
    ['an empty string', ''],
  ])('refuses %s', (_, name) => {
    expect(isProviderPackageName(name)).toBe(false);
  });

  it('refuses every name containing a path segment of dots or a separator outside the scope', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('../', '/..', '\\', './', '//'), (tail, bad) => {
        expect(isProviderPackageName(`ironrun-provider-${tail}${bad}${tail}`)).toBe(false);
        expect(isProviderPackageName(`@s/ironrun-provider-${tail}${bad}`)).toBe(false);
      }),
    );
  });
});
