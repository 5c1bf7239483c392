import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigDir } from '@ironrun/core';
import { describe, expect, it } from 'vitest';
import { ironrunConfigDir } from './config-dir.js';

describe('ironrunConfigDir', () => {
  it('ignores a relative XDG_CONFIG_HOME, as run does, so trust and run use one store', async () => {
    const env = { XDG_CONFIG_HOME: 'relative/config', HOME: homedir() };
    expect(await ironrunConfigDir(env)).toBe(defaultConfigDir(env));
    expect(await ironrunConfigDir(env)).not.toContain('relative');
  });

  it('follows IRONRUN_CONFIG_DIR and an absolute XDG_CONFIG_HOME', async () => {
    expect(await ironrunConfigDir({ IRONRUN_CONFIG_DIR: '/tmp/ir-store' })).toBe('/tmp/ir-store');
    expect(await ironrunConfigDir({ XDG_CONFIG_HOME: '/tmp/xdg' })).toBe(
      join('/tmp/xdg', 'ironrun'),
    );
  });
});
