import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { trust } from '@ironrun/policy';
import { builtinProviderReferences, installFixtureProvider, testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { runBundledAction } from './run-bundled-action.js';

// ironrun-provider-fixture is added by its own package only: the bundled action learns its
// scheme and reference syntax from its package.json, and loads it from the workspace.

const secret = 'fixture_action_secret_9a8b7c6d5e';
const node = JSON.stringify(process.execPath);

describe('dist/index.js with a provider added as a package only', () => {
  it('runs a command whose secret comes from ironrun-provider-fixture, masked and redacted, in workflow and pinned trust', async () => {
    const home = await testdir();
    const config = await testdir();
    const secretsFile = join(home.dir, 'vault', 'fixture.json');
    await mkdir(dirname(secretsFile), { recursive: true });
    await writeFile(secretsFile, JSON.stringify({ API_KEY: secret }), { mode: 0o600 });
    const workspace = await testdir({
      'ironrun.yml': [
        'version: 1',
        'provider:',
        '  name: ironrun-provider-fixture',
        `  file: ${secretsFile}`,
        'commands:',
        '  - id: show',
        `    argv: [${node}, -e, "console.log('key=' + process.env.API_KEY)"]`,
        '    env:',
        '      API_KEY: fixture://API_KEY',
        '',
      ].join('\n'),
    });
    try {
      await installFixtureProvider(workspace.dir);
      const env = { FIXTURE_VAULT_TOKEN: 'fixture-token-for-ci-0123' };
      const workflow = await runBundledAction({
        cwd: workspace.dir,
        inputs: { command: 'show' },
        env,
      });
      expect(workflow.exitCode).toBe(0);
      expect(workflow.masks).toContain(secret);
      expect(workflow.log).toContain('key=[REDACTED]');
      expect(workflow.log).not.toContain(secret);

      await trust(workspace.path('ironrun.yml'), {
        configDir: config.dir,
        providers: builtinProviderReferences,
        schemes: ['fixture'],
      });
      const pinned = await runBundledAction({
        cwd: workspace.dir,
        inputs: { command: 'show', trust: 'pinned', 'trust-dir': config.dir },
        env,
      });
      expect(pinned.exitCode).toBe(0);
      expect(pinned.log).toContain('key=[REDACTED]');
      expect(pinned.log).not.toContain(secret);

      await writeFile(
        workspace.path('ironrun.yml'),
        (await import('node:fs'))
          .readFileSync(workspace.path('ironrun.yml'), 'utf8')
          .replace('fixture://API_KEY', 'fixture://not-a-name'),
      );
      const malformed = await runBundledAction({
        cwd: workspace.dir,
        inputs: { command: 'show' },
        env,
      });
      expect(malformed.exitCode).toBe(1);
      expect(malformed.errors.join('\n')).toMatch(
        /malformed fixture reference; expected fixture:\/\/NAME/,
      );
    } finally {
      await workspace.cleanup();
      await config.cleanup();
      await home.cleanup();
    }
  });
});
