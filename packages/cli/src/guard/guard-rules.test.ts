import { defaultConfigDir } from '@ironrun/core';
import { describe, expect, it } from 'vitest';
import { guardConfigDir } from './guard-rules.js';

describe('guardConfigDir', () => {
  it.each([
    [{ IRONRUN_CONFIG_DIR: '/srv/ironrun' }, 'linux'],
    [{ IRONRUN_CONFIG_DIR: 'relative/dir' }, 'linux'],
    [{ XDG_CONFIG_HOME: '/home/me/.xdg' }, 'linux'],
    [{ XDG_CONFIG_HOME: 'not/absolute' }, 'linux'],
    [{}, 'linux'],
    [{}, 'darwin'],
    [{ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32'],
    [{}, 'win32'],
  ] as const)(
    'agrees with core for %j on %s (the guard cannot afford to load core)',
    (env, platform) => {
      expect(guardConfigDir(env, platform)).toBe(defaultConfigDir(env, platform));
    },
  );
});
