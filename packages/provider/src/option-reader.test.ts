import { describe, expect, it } from 'vitest';
import { optionReader } from './option-reader.js';
import { isProviderError } from './provider-error.js';

function configError(read: () => unknown): Error {
  try {
    read();
  } catch (error) {
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFIG', provider: 'vault' });
    return error as Error;
  }
  throw new Error('expected a CONFIG error');
}

const known = ['address', 'mount', 'token_env', 'verify'];

describe('optionReader', () => {
  it.each([null, 'x', 3, ['address']])('refuses options that are not a mapping (%j)', (raw) => {
    expect(configError(() => optionReader('vault', raw, known)).message).toBe(
      'vault: provider options must be a mapping',
    );
  });

  it('refuses an unknown key (a typo) naming it and every known key', () => {
    expect(configError(() => optionReader('vault', { adress: 'x' }, known)).message).toBe(
      "vault: unknown provider option 'adress'; expected one of: address, mount, token_env, verify",
    );
  });

  it('does not take a prototype property for an option', () => {
    const options = optionReader('vault', {}, ['constructor']);
    expect(options.string('constructor')).toBeUndefined();
  });
});

describe('OptionReader.string', () => {
  const check = { test: (value: string) => /^[a-z]+$/.test(value), expected: 'a mount name' };

  it('is undefined when absent or null, and the value when it passes the check', () => {
    const options = optionReader('vault', { mount: 'kv', address: null }, known);
    expect(options.string('mount', check)).toBe('kv');
    expect(options.string('address')).toBeUndefined();
    expect(options.string('token_env')).toBeUndefined();
  });

  it.each([[''], [3], [true], [{}]])('refuses %j as not a non-empty string', (mount) => {
    const options = optionReader('vault', { mount }, known);
    expect(configError(() => options.string('mount')).message).toBe(
      "vault: provider option 'mount' must be a non-empty string",
    );
  });

  it('refuses a value failing the check, saying what was expected', () => {
    const options = optionReader('vault', { mount: 'KV/x' }, known);
    expect(configError(() => options.string('mount', check)).message).toBe(
      "vault: provider option 'mount' must be a mount name, got 'KV/x'",
    );
  });

  it('narrows the type with a type-guard check', () => {
    const options = optionReader('vault', { mount: 'kv' }, known);
    const mount: 'kv' | 'secret' | undefined = options.string('mount', {
      test: (value): value is 'kv' | 'secret' => value === 'kv' || value === 'secret',
      expected: "'kv' or 'secret'",
    });
    expect(mount).toBe('kv');
  });
});

describe('OptionReader.envName', () => {
  it('defaults to the fallback and accepts a variable name', () => {
    expect(optionReader('vault', {}, known).envName('token_env', 'VAULT_TOKEN')).toBe(
      'VAULT_TOKEN',
    );
    expect(
      optionReader('vault', { token_env: '_MY_TOKEN2' }, known).envName('token_env', 'X'),
    ).toBe('_MY_TOKEN2');
  });

  it.each(['A B', '1ABC', 'A=B', 'A-B'])('refuses %j', (name) => {
    const options = optionReader('vault', { token_env: name }, known);
    expect(configError(() => options.envName('token_env', 'VAULT_TOKEN')).message).toBe(
      `vault: provider option 'token_env' must name an environment variable (letters, digits, '_'), got '${name}'`,
    );
  });
});

describe('OptionReader.secureUrl', () => {
  const read = (address: unknown) =>
    optionReader('vault', address === undefined ? {} : { address }, known).secureUrl(
      'address',
      'https://vault.example.com',
    );

  it('defaults to the fallback and drops a trailing slash', () => {
    expect(read(undefined)).toBe('https://vault.example.com');
    expect(read('https://vault.internal:8200/v1/')).toBe('https://vault.internal:8200/v1');
  });

  it('accepts http: for a loopback host only', () => {
    expect(read('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(read('http://[::1]:8080/')).toBe('http://[::1]:8080');
    expect(read('http://localhost')).toBe('http://localhost');
    expect(configError(() => read('http://10.0.0.1')).message).toMatch(
      /must use https: .*so credentials never travel in clear/,
    );
    expect(configError(() => read('ftp://vault.example.com')).message).toMatch(/must use https:/);
  });

  it('refuses text that is not a URL, naming an example', () => {
    expect(configError(() => read('not a url')).message).toBe(
      "vault: provider option 'address' is not a URL; expected e.g. https://vault.example.com",
    );
  });

  it.each([
    'https://user:pass@vault.example.com',
    'https://vault.example.com/?token=x',
    'https://vault.example.com/#x',
  ])('refuses credentials, a query or a fragment in %s (a token smuggled into the URL)', (url) => {
    const error = configError(() => read(url));
    expect(error.message).toMatch(/must not contain credentials, a query or a fragment/);
    expect(error.message).not.toContain('pass');
    expect(error.message).not.toContain('token=x');
  });
});

describe('OptionReader.boolean', () => {
  it('defaults to the fallback, reads true and false, and refuses anything else', () => {
    expect(optionReader('vault', {}, known).boolean('verify', true)).toBe(true);
    expect(optionReader('vault', { verify: null }, known).boolean('verify', true)).toBe(true);
    expect(optionReader('vault', { verify: false }, known).boolean('verify', true)).toBe(false);
    expect(
      configError(() => optionReader('vault', { verify: 'yes' }, known).boolean('verify', true))
        .message,
    ).toBe("vault: provider option 'verify' must be true or false");
  });
});

describe('OptionReader.error', () => {
  it("is a CONFIG ProviderError prefixed with the provider's name", () => {
    const error = optionReader('vault', {}, known).error('mount and path cannot both be set');
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'CONFIG',
      provider: 'vault',
      message: 'vault: mount and path cannot both be set',
    });
  });
});
