import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrust } from '../src/index.js';

// Real concurrency needs real processes: the package source is bundled once
// into one file that child processes import, and every child waits for a
// start file so all of them write at the same moment.

let work: TestDir;
let bundle: string;

beforeAll(async () => {
  work = await testdir();
  await build({
    entry: { policy: join(import.meta.dirname, '..', 'src', 'index.ts') },
    outDir: work.path('bundle'),
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    // yaml's CommonJS build requires Node built-ins; give the ESM bundle a require.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
  });
  const [file] = (await readdir(work.path('bundle'))).filter(
    (name) => name.endsWith('.js') || name.endsWith('.mjs'),
  );
  bundle = work.path(join('bundle', file!));
}, 60_000);

afterAll(async () => {
  await work?.cleanup();
});

const childScript = `
const [bundle, policy, configDir, go] = process.argv.slice(1);
const { existsSync } = await import('node:fs');
const { trust } = await import(bundle);
while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2));
await trust(policy, { configDir });
`;

function trustInChild(
  policy: string,
  configDir: string,
  go: string,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', childScript, pathToFileURL(bundle).href, policy, configDir, go],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

function policyText(id: string): string {
  return `version: 1\nprovider: envfile\ncommands:\n  - { id: ${id}, argv: [./run.sh] }\n`;
}

describe('trust (concurrent processes)', () => {
  it('loses nothing when several processes trust different policies at once', async () => {
    const projects = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        testdir({ 'ironrun.yml': policyText(`p${index}`), 'run.sh': `#!/bin/sh\necho ${index}\n` }),
      ),
    );
    const configDir = work.path('config-different');
    const go = work.path('go-different');
    try {
      const children = projects.map((project) =>
        trustInChild(project.path('ironrun.yml'), configDir, go),
      );
      await writeFile(go, '');
      const results = await Promise.all(children);
      expect(results).toEqual(projects.map(() => ({ code: 0, stderr: '' })));
      for (const project of projects) {
        expect(await checkTrust(project.path('ironrun.yml'), { configDir })).toEqual({
          status: 'trusted',
          policySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          verified: expect.any(Array),
          programs: {},
        });
      }
      expect(await readdir(join(configDir, 'trust'))).toHaveLength(projects.length);
    } finally {
      await Promise.all(projects.map((project) => project.cleanup()));
    }
  }, 60_000);

  it('leaves one whole record when several processes trust the same policy at once', async () => {
    const project = await testdir({
      'ironrun.yml': policyText('same'),
      'run.sh': '#!/bin/sh\necho same\n',
    });
    const configDir = work.path('config-same');
    const go = work.path('go-same');
    try {
      const children = Array.from({ length: 4 }, () =>
        trustInChild(project.path('ironrun.yml'), configDir, go),
      );
      await writeFile(go, '');
      const results = await Promise.all(children);
      expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0]);
      const files = await readdir(join(configDir, 'trust'));
      expect(files).toHaveLength(1);
      JSON.parse(await readFile(join(configDir, 'trust', files[0]!), 'utf8'));
      expect(await checkTrust(project.path('ironrun.yml'), { configDir })).toEqual({
        status: 'trusted',
        policySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        verified: expect.any(Array),
        programs: {},
      });
    } finally {
      await project.cleanup();
    }
  }, 60_000);
});
