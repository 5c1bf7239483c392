import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { installFixtureProvider, testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { agentSecrets, uncoveredLocation } from './secret-locations.js';

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

  it("finds the project policy's envfile by the scan, the same as with the full reader; where the scan is unsure, by the full reader", async () => {
    const home = await testdir({ 'vault/a.env': 'A=1\n', 'vault/b.env': 'B=1\n' });
    try {
      const configDir = join(home.dir, 'cfg');
      const real = await realpath(home.dir);
      const policyPath = home.path('project/ironrun.yml');
      await mkdir(home.path('project'));
      const body = `provider:\n  name: envfile\n  path: ${home.path('vault/a.env')}\ncommands:\n  - id: x\n    argv: [/bin/true]\n`;
      const options = { env: {}, configDir, home: home.dir, policyPath };
      await writeFile(policyPath, `version: 1\n${body}`);
      const fast = await agentSecrets(options);
      const full = await agentSecrets({ ...options, exact: true });
      expect(fast.scanned).toBe(true);
      expect(full.scanned).toBe(false);
      expect(fast.locations).toEqual(full.locations);
      expect(fast.locations.map(({ path }) => path)).toContain(join(real, 'vault/a.env'));
      // A document marker: the scan is unsure, and the full reader finds the other envfile.
      await writeFile(policyPath, `---\nversion: 1\n${body.replace('a.env', 'b.env')}`);
      const unsure = await agentSecrets(options);
      expect(unsure.scanned).toBe(false);
      expect(unsure.locations.map(({ path }) => path)).toContain(join(real, 'vault/b.env'));
    } finally {
      await home.cleanup();
    }
  });
});

describe('uncoveredLocation', () => {
  const file = (path: string) => ({ path, kind: 'file' as const, reason: 'r' });
  const folder = (path: string) => ({ path, kind: 'directory' as const, reason: 'r' });

  it('names a location the covers miss; one covered itself or by a folder holding it is fine', () => {
    const covered = [folder('/home/a/.config/ironrun'), file('/srv/app.env')];
    expect(uncoveredLocation(covered, [file('/srv/app.env')])).toBeUndefined();
    expect(uncoveredLocation(covered, [file('/home/a/.config/ironrun/x.env')])).toBeUndefined();
    expect(uncoveredLocation(covered, [file('/srv/other.env')])?.path).toBe('/srv/other.env');
    // A file cover holds nothing beneath it, and a prefix is not a folder.
    expect(uncoveredLocation(covered, [file('/srv/app.env/x')])?.path).toBe('/srv/app.env/x');
    expect(uncoveredLocation(covered, [file('/home/a/.config/ironrun2/x')])?.path).toBe(
      '/home/a/.config/ironrun2/x',
    );
  });
});
