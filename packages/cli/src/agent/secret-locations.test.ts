import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { installFixtureProvider, testdir } from '@ironrun/test-utils';
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

  it("hides the session folder and secret file a third-party provider declares, for the project's and each trusted policy", async () => {
    const home = await testdir({
      '.fixture-vault/session': 'token\n',
      'vault/fixture.json': '{}\n',
      'project/ironrun.yml': '',
      'other/ironrun.yml': '',
    });
    try {
      const configDir = join(home.dir, 'cfg');
      await mkdir(configDir);
      const text = `version: 1\nprovider: { name: ironrun-provider-fixture, file: ${home.path('vault/fixture.json')} }\ncommands:\n  - id: x\n    argv: [/bin/true]\n`;
      for (const folder of ['project', 'other']) {
        await installFixtureProvider(home.path(folder));
        await writeFile(home.path(`${folder}/ironrun.yml`), text);
      }
      await trust(home.path('other/ironrun.yml'), { configDir });
      const real = await realpath(home.dir);
      for (const policyPath of [home.path('project/ironrun.yml'), undefined]) {
        const found = await agentSecrets({ env: {}, configDir, home: home.dir, policyPath });
        const paths = found.locations.map((location) => location.path);
        expect(paths).toEqual(
          expect.arrayContaining([join(real, '.fixture-vault'), join(real, 'vault/fixture.json')]),
        );
        expect(found.locations.find((l) => l.path === join(real, '.fixture-vault'))?.reason).toBe(
          'fixture-vault CLI sessions',
        );
      }
    } finally {
      await home.cleanup();
    }
  });
});
