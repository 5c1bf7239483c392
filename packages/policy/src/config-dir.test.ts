import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from './config-dir.js';

describe('defaultConfigDir', () => {
  it('prefers $IRONRUN_CONFIG_DIR, made absolute', () => {
    expect(
      defaultConfigDir({ IRONRUN_CONFIG_DIR: '/etc/ironrun-test', XDG_CONFIG_HOME: '/x' }, 'linux'),
    ).toBe(resolve('/etc/ironrun-test'));
    expect(defaultConfigDir({ IRONRUN_CONFIG_DIR: 'rel' }, 'linux')).toBe(resolve('rel'));
  });

  it('then $XDG_CONFIG_HOME/ironrun on every platform', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/home/me/.cfg' }, 'linux')).toBe(
      join('/home/me/.cfg', 'ironrun'),
    );
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/home/me/.cfg' }, 'darwin')).toBe(
      join('/home/me/.cfg', 'ironrun'),
    );
  });

  it('ignores a relative $XDG_CONFIG_HOME, as the XDG spec says', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' }, 'linux')).toBe(
      join(homedir(), '.config', 'ironrun'),
    );
  });

  it('falls back to the platform default', () => {
    expect(defaultConfigDir({}, 'linux')).toBe(join(homedir(), '.config', 'ironrun'));
    expect(defaultConfigDir({}, 'darwin')).toBe(
      join(homedir(), 'Library', 'Application Support', 'ironrun'),
    );
    expect(defaultConfigDir({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32')).toBe(
      join('C:\\Users\\me\\AppData\\Roaming', 'ironrun'),
    );
  });

  it('ignores empty variables', () => {
    expect(defaultConfigDir({ IRONRUN_CONFIG_DIR: '', XDG_CONFIG_HOME: '' }, 'linux')).toBe(
      join(homedir(), '.config', 'ironrun'),
    );
  });
});
