import { describe, expect, it } from 'vitest';
import { parseProviderDeclaration } from './provider-declaration.js';

const fail = (what: string) => new Error(`the package ${what}`);

function declare(sessionLocations: unknown) {
  return parseProviderDeclaration({ schemes: ['vault'], sessionLocations }, fail);
}

describe('parseProviderDeclaration: sessionLocations', () => {
  it('defaults to none', () => {
    expect(parseProviderDeclaration({ schemes: ['vault'] }, fail).sessionLocations).toEqual([]);
  });

  it('keeps {home}, {xdgConfig} and {env} paths with their reasons', () => {
    expect(
      declare([
        { path: '{home}/.vault-cli', reason: 'tokens' },
        { path: '{xdgConfig}/vault/sessions', reason: 'sessions' },
        { path: '{env}', env: 'VAULT_CONFIG_DIR', reason: 'config ($VAULT_CONFIG_DIR)' },
        { path: '{env}/tokens', env: 'VAULT_HOME', reason: 'tokens ($VAULT_HOME)' },
      ]).sessionLocations,
    ).toEqual([
      { path: '{home}/.vault-cli', reason: 'tokens' },
      { path: '{xdgConfig}/vault/sessions', reason: 'sessions' },
      { path: '{env}', env: 'VAULT_CONFIG_DIR', reason: 'config ($VAULT_CONFIG_DIR)' },
      { path: '{env}/tokens', env: 'VAULT_HOME', reason: 'tokens ($VAULT_HOME)' },
    ]);
  });

  // A declaration names where its own CLI keeps a login, below one of the three bases: never
  // an absolute path, a step out of the base, another base or an unnamed variable.
  it.each([
    ['an absolute path', { path: '/etc/vault', reason: 'x' }],
    ['a relative path', { path: '.vault', reason: 'x' }],
    ['a step out of the base', { path: '{home}/../other', reason: 'x' }],
    ['a trailing ..', { path: '{home}/a/..', reason: 'x' }],
    ['a . segment', { path: '{xdgConfig}/./op', reason: 'x' }],
    ['an empty segment', { path: '{home}//op', reason: 'x' }],
    ['a trailing slash', { path: '{home}/', reason: 'x' }],
    ['an unknown base', { path: '{cwd}/op', reason: 'x' }],
    ['a base not at the start', { path: 'x{home}/op', reason: 'x' }],
    ['a NUL byte', { path: '{home}/op\0x', reason: 'x' }],
    ['{env} without its variable', { path: '{env}/op', reason: 'x' }],
    ['{env} with a bad variable name', { path: '{env}', env: 'A-B', reason: 'x' }],
    ['a variable on a {home} path', { path: '{home}/op', env: 'HOME', reason: 'x' }],
    ['no reason', { path: '{home}/op' }],
    ['an empty reason', { path: '{home}/op', reason: '' }],
    ['a reason that is not text', { path: '{home}/op', reason: 3 }],
    ['a string instead of an object', '{home}/op'],
  ])('refuses %s', (_what, entry) => {
    expect(() => declare([entry])).toThrow(/"ironrun\.sessionLocations" entry that is not/);
  });

  it('refuses a sessionLocations that is not a list', () => {
    expect(() => declare({ path: '{home}/op', reason: 'x' })).toThrow(/not a list/);
  });
});

describe('parseProviderDeclaration: policyTemplate', () => {
  const base = {
    schemes: ['vault'],
    references: { vault: { pattern: 'vault://[a-z]+', expected: 'vault://name' } },
  };
  const lines = ['# Reads VAULT_TOKEN.', 'provider:', '  name: vault', '  mount: {project}'];

  it('keeps a template of provider lines with an example of its own syntax', () => {
    expect(
      parseProviderDeclaration({ ...base, policyTemplate: { lines, example: 'vault://db' } }, fail)
        .policyTemplate,
    ).toEqual({ lines, example: 'vault://db' });
  });

  // Someone else's package writes into the policy a person is about to review: a template stays
  // inside the provider block, and its example is a reference the policy will accept.
  it.each([
    ['a top-level key', [...lines, 'commands:']],
    ['a command list', ['provider: vault', '- id: x']],
    ['a line break inside a line', ['provider:', '  name: vault\ncommands: []']],
    ['no provider line', ['# only a comment']],
    ['a comment after a provider value', ['provider: vault # note']],
    ['no lines', []],
  ])('refuses %s', (_what, badLines) => {
    expect(() =>
      parseProviderDeclaration(
        { ...base, policyTemplate: { lines: badLines, example: 'vault://db' } },
        fail,
      ),
    ).toThrow(/"ironrun\.policyTemplate" that is not/);
  });

  it.each([
    ['another scheme', 'op://a/b/c'],
    ['its scheme, not its syntax', 'vault://DB'],
  ])('refuses an example of %s', (_what, example) => {
    expect(() =>
      parseProviderDeclaration({ ...base, policyTemplate: { lines, example } }, fail),
    ).toThrow(/policyTemplate\.example/);
  });
});
