import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { envfilePath, parseEnvfileOptions } from './envfile-options.js';

const dirs = { projectDir: '/work/app', configDir: '/home/me/.config/ironrun' };

describe('parseEnvfileOptions', () => {
  it('accepts no options and a path', () => {
    expect(parseEnvfileOptions({})).toEqual({});
    expect(parseEnvfileOptions({ path: '~/secrets.env' })).toEqual({ path: '~/secrets.env' });
  });

  it('refuses an unknown option so a typo cannot drop the path', () => {
    expect(() => parseEnvfileOptions({ file: '/x' })).toThrow(/unknown option 'file'/);
  });

  it.each([[42], [''], ['  '], [null], ['a\0b']])('refuses the path %j', (path) => {
    expect(() => parseEnvfileOptions({ path })).toThrow(
      expect.objectContaining({ name: 'ProviderError', code: 'CONFIG' }),
    );
  });
});

describe('envfilePath', () => {
  it('defaults to secrets.env in the config directory', () => {
    expect(envfilePath({}, dirs)).toBe('/home/me/.config/ironrun/secrets.env');
  });

  it('resolves a relative path against the project', () => {
    expect(envfilePath({ path: '../secrets/app.env' }, dirs)).toBe('/work/secrets/app.env');
  });

  it('expands ~/ to the home directory', () => {
    expect(envfilePath({ path: '~/.secrets/app.env' }, dirs)).toBe(`${homedir()}/.secrets/app.env`);
  });

  it('keeps an absolute path, normalized', () => {
    expect(envfilePath({ path: '/etc/../srv/app.env' }, dirs)).toBe('/srv/app.env');
  });
});
