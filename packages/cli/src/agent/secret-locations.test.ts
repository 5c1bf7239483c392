import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { agentSecrets } from './secret-locations.js';

describe('agentSecrets', () => {
  it('finds the config folder, the envfile of each trusted policy and the vault CLI folders that exist', async () => {
    const home = await testdir({
      '.doppler/.doppler.yaml': 'token: x\n',
      '.config/op/config': '{}\n',
      'vault/a.env': 'A=1\n',
      'project/ironrun.yml': '',
    });
    try {
      const configDir = join(home.dir, 'cfg');
      await mkdir(configDir);
      const policyPath = home.path('project/ironrun.yml');
      await writeFile(
        policyPath,
        `version: 1\nprovider: { name: envfile, path: ${home.path('vault/a.env')} }\ncommands:\n  - id: x\n    argv: [/bin/true]\n`,
      );
      await trust(policyPath, { configDir });
      const real = await realpath(home.dir);
      const found = await agentSecrets({
        env: { XDG_CONFIG_HOME: join(home.dir, '.config') },
        configDir,
        home: home.dir,
      });
      const paths = found.locations.map((location) => location.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          join(real, 'cfg'),
          join(real, 'vault/a.env'),
          join(real, '.doppler'),
          join(real, '.config/op'),
        ]),
      );
      // Missing locations have nothing to hide; the infisical folder does not exist here.
      expect(paths).not.toContain(join(real, '.infisical'));
      expect(found.variables).toEqual(
        expect.arrayContaining(['DOPPLER_TOKEN', 'OP_SERVICE_ACCOUNT_TOKEN']),
      );
    } finally {
      await home.cleanup();
    }
  });
});
