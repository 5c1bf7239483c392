import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testdir } from '@ironrun/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProvider } from '../src/load-provider.js';

const example = join(dirname(fileURLToPath(import.meta.url)), '../../../examples/provider-plugin');
const secret = 'ex_live_loaded_by_name_123';

describe('loadProvider', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('loads the example third-party provider by package name from the project node_modules', async () => {
    if (!existsSync(join(example, 'dist/index.js'))) {
      throw new Error('build the example first: pnpm --filter ironrun-provider-example build');
    }
    const project = await testdir({
      'ironrun.yml': 'version: 1\nprovider: ironrun-provider-example\ncommands: []\n',
      'example.json': JSON.stringify({ API_KEY: secret }),
    });
    cleanups.push(project.cleanup);
    // As `npm install ironrun-provider-example` would leave it (pnpm links the same way).
    await mkdir(project.path('node_modules'));
    await symlink(example, project.path('node_modules/ironrun-provider-example'), 'dir');

    const definition = await loadProvider('ironrun-provider-example', {
      projectDir: project.dir,
      builtins: { envfile: async () => ({}) },
    });
    expect(definition.name).toBe('example');
    expect(definition.schemes).toEqual(['example']);

    const options = definition.parseOptions({ file: 'example.json' });
    const provider = await definition.create(options, {
      projectDir: project.dir,
      configDir: project.dir,
      env: {},
      timeoutMs: 5000,
      // The example checks no path against the project.
      isInsideProject: () => false,
    });
    const results = await provider.resolve(['example://API_KEY', 'example://NOPE'], {
      signal: new AbortController().signal,
    });
    expect(results).toEqual([
      { ref: 'example://API_KEY', found: true, value: secret },
      { ref: 'example://NOPE', found: false, reason: 'NOPE is not in the example file' },
    ]);
    await provider.dispose?.();
  });

  it('does not find the example from a project that has not installed it', async () => {
    const project = await testdir({ 'ironrun.yml': 'version: 1\n' });
    cleanups.push(project.cleanup);
    await expect(
      loadProvider('ironrun-provider-example', { projectDir: project.dir }),
    ).rejects.toMatchObject({ code: 'LOAD', message: expect.stringContaining('not installed') });
  });
});
