import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProcess } from './cli-process.js';
import { type TrustedProject, trustedProject } from './trusted-project.js';

// `ironrun run` finds the sandbox's native init by reading a package.json
// (installed-package-file.ts of @ironrun/sandbox), from where the CLI is
// installed. The agent writes the project, its node_modules and the folders
// above it that it can reach; an init it planted there would run every
// command of the person's policy, its secrets included, outside any seal.

const platformPackage =
  process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')
    ? `@ironrun/sandbox-linux-${process.arch}`
    : undefined;

let fixture: TrustedProject;
let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let marker: string;

beforeEach(async () => {
  fixture = await trustedProject();
  ({ home, project, env } = fixture);
  marker = join(home.dir, 'planted-init-ran');
});

afterEach(() => fixture.cleanup());

/** Plants, under `dir`, a node_modules package of the init's name whose export is a script that leaves a marker. */
async function plantInit(dir: string): Promise<void> {
  const pkg = join(dir, 'node_modules', ...(platformPackage as string).split('/'));
  await mkdir(join(pkg, 'dist'), { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: platformPackage,
      exports: { './ironrun-init': './dist/ironrun-init', './package.json': './package.json' },
    }),
  );
  await writeFile(join(pkg, 'dist', 'ironrun-init'), `#!/bin/sh\ntouch '${marker}'\nexit 0\n`);
  await chmod(join(pkg, 'dist', 'ironrun-init'), 0o755);
}

describe.skipIf(platformPackage === undefined)('a native init planted by the agent', () => {
  it('in the project node_modules is never started by ironrun run', async () => {
    await plantInit(project.dir);
    const bin = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
    const run = await runProcess(process.execPath, [bin, 'run', 'ok', '--json'], {
      cwd: project.dir,
      env: { ...env, NODE_PATH: join(project.dir, 'node_modules') },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(run.stdout).isolation).toMatch(/native init/);
  });
  it('on NODE_PATH, where the platform package is not installed, is never started by ironrun run', async () => {
    // An install of the CLI with core and sandbox beside it but no platform package (an
    // unsupported libc, --no-optional): Node's resolver would go on to NODE_PATH, which the
    // agent sets, and start the agent's program as the init of every sealed run.
    const install = await testdir();
    try {
      const cli = join(install.dir, 'cli');
      await cp(fileURLToPath(new URL('../dist', import.meta.url)), join(cli, 'dist'), {
        recursive: true,
      });
      await copyFile(
        fileURLToPath(new URL('../package.json', import.meta.url)),
        join(cli, 'package.json'),
      );
      const require = createRequire(import.meta.url);
      const coreJson = require.resolve('@ironrun/core/package.json');
      const sandboxJson = createRequire(coreJson).resolve('@ironrun/sandbox/package.json');
      // Only their locations are used (run.cjs holds their code): each package.json, an entry.
      for (const [name, manifest] of [
        ['core', coreJson],
        ['sandbox', sandboxJson],
      ] as const) {
        const dir = join(cli, 'node_modules', '@ironrun', name);
        await mkdir(join(dir, 'dist'), { recursive: true });
        await copyFile(manifest, join(dir, 'package.json'));
        await writeFile(join(dir, 'dist', 'index.js'), '');
      }
      const planted = join(project.dir, 'agent-modules');
      await plantInit(planted);
      const run = await runProcess(
        process.execPath,
        [join(cli, 'dist', 'cli.cjs'), 'run', 'ok', '--json'],
        {
          cwd: project.dir,
          env: { ...env, NODE_PATH: join(planted, 'node_modules') },
        },
      );
      expect(existsSync(marker), 'the planted init ran').toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).isolation).not.toMatch(/native init/);
    } finally {
      await install.cleanup();
    }
  });
});
