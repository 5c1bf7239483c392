import { describe, expect, it } from 'vitest';
import { classifyOpFailure, opMessage } from './op-cli.js';

const stamp = '[ERROR] 2025/03/04 09:08:07';

describe('opMessage', () => {
  it("drops op's [ERROR] date time prefix and keeps the first line", () => {
    expect(opMessage(`${stamp} "x" isn't a vault in this account.\nmore\n`)).toBe(
      `"x" isn't a vault in this account.`,
    );
  });

  it('shortens a long message', () => {
    expect(opMessage(`${stamp} ${'a'.repeat(500)}`)).toHaveLength(241);
  });
});

describe('classifyOpFailure', () => {
  it.each([
    [
      `${stamp} You are not currently signed in. Please run \`op signin --help\` for instructions`,
      'AUTH',
    ],
    [
      `${stamp} could not read secret 'op://a/b/c': error initializing client: authorization prompt dismissed, please try again`,
      'AUTH',
    ],
    [`${stamp} no accounts configured for use with 1Password CLI`, 'AUTH'],
    [`${stamp} unknown flag: --no-newline`, 'CONFIG'],
    [`${stamp} could not read secret 'op://a/b/c': Too many requests`, 'RATE_LIMIT'],
    [
      `${stamp} could not read secret 'op://a/b/c': Get "https://my.1password.com/api": dial tcp: lookup my.1password.com: no such host`,
      'NETWORK',
    ],
    [`${stamp} something else entirely`, 'UNKNOWN'],
  ])('classifies %j as the error %s', (stderr, code) => {
    expect(classifyOpFailure(stderr)).toMatchObject({ kind: 'error', code });
  });

  it.each([
    `${stamp} could not read secret 'op://a/b/c': "a" isn't a vault in this account. Specify the vault with its ID or name.`,
    `${stamp} could not read secret 'op://a/b/c': "b" isn't an item in the "a" vault. Specify the item with its UUID, name, or domain.`,
    `${stamp} could not read secret 'op://a/b/c': item 'a/b' does not have a field 'c'`,
  ])('classifies %j as not found', (stderr) => {
    expect(classifyOpFailure(stderr).kind).toBe('not-found');
  });
});
