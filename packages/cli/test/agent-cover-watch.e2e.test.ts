import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from './cli-process.js';

// Secret locations that change outside while the agent runs: one created after the start (a
// vault CLI login), one covered and then replaced by rename (an editor's save). A mount cannot
// follow either: nothing covers the new one, and the kernel detaches the agent's cover of the
// replaced one. The hostile agent waits until the change is made, then reads the location; it
// must never print what was written there.

type Kind = 'bubblewrap' | 'unshare';
const node = process.execPath;

function available(kind: Kind): boolean {
  if (process.platform !== 'linux') return false;
  return (
    spawnSync(node, [cliPath, 'agent', '--confinement', kind, '--dry-run', '--', 'true'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' },
    }).status === 0
  );
}
const kinds = (['bubblewrap', 'unshare'] as const).map((kind) => ({ kind, ok: available(kind) }));
for (const { kind, ok } of kinds) {
  if (!ok) console.log(`skipping the cover watch tests with ${kind}: it does not work here`);
}

const dirs: TestDir[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await dir.cleanup();
});

/**
 * Starts `ironrun agent` with an agent that says it started, waits for `go` in the project and
 * then prints `target`; `change` runs once it started. The agent is given `go` when it has
 * exited, or after two seconds if it is still running (the old behaviour: nothing stopped it).
 */
async function run(
  kind: Kind,
  home: TestDir,
  project: TestDir,
  target: string,
  change: () => Promise<void>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = [
    'echo started > started',
    'i=0; while [ ! -e go ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done',
    `cat '${target}' 2>&1 || true`,
    `ls -A '${target}' 2>&1 || true`,
  ].join('\n');
  const child = spawn(
    node,
    [cliPath, 'agent', '--confinement', kind, '--', '/bin/sh', '-c', script],
    {
      cwd: project.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home.dir,
        IRONRUN_CONFIG_DIR: home.path('cfg'),
        XDG_CONFIG_HOME: home.path('.config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  while (!existsSync(project.path('started'))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await change();
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
  await writeFile(project.path('go'), '');
  const code = await exited;
  return { code, stdout, stderr };
}

describe.each(kinds)('ironrun agent --confinement $kind', ({ kind, ok }) => {
  it.skipIf(!ok)(
    'stops the agent when a secret location absent at the start is created outside (a vault CLI login), before the agent reads it',
    async () => {
      const token = `dp.st.${randomBytes(12).toString('hex')}`;
      const home = await testdir({ 'cfg/.keep': '' });
      const project = await testdir({ 'README.md': 'x\n' });
      dirs.push(home, project);
      const result = await run(
        kind,
        home,
        project,
        home.path('.doppler/.doppler.yaml'),
        async () => {
          await mkdir(home.path('.doppler'), { mode: 0o700 });
          // The login writes its token a moment after the folder exists.
          await new Promise((resolve) => setTimeout(resolve, 100));
          await writeFile(home.path('.doppler/.doppler.yaml'), `token: ${token}\n`);
        },
      );
      expect(result.stdout.includes(token)).toBe(false);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/\.doppler .*was created while the agent ran/);
      expect(result.stderr.includes(token)).toBe(false);
    },
    30_000,
  );

  it.skipIf(!ok)(
    'stops the agent when a covered envfile is replaced outside by rename (an editor’s save), before its cover comes off',
    async () => {
      const before = `sk_old_${randomBytes(12).toString('hex')}`;
      const after = `sk_new_${randomBytes(12).toString('hex')}`;
      const home = await testdir({
        'cfg/.keep': '',
        'vault/secrets.env': { content: `API_TOKEN=${before}\n`, mode: 0o600 },
      });
      const project = await testdir({
        'ironrun.yml': [
          'version: 1',
          `provider: { name: envfile, path: ${home.path('vault/secrets.env')} }`,
          'commands:',
          '  - id: print',
          '    argv: [/bin/echo, hi]',
          '    env: { API_TOKEN: envfile://API_TOKEN }',
          '',
        ].join('\n'),
      });
      dirs.push(home, project);
      const result = await run(kind, home, project, home.path('vault/secrets.env'), async () => {
        await writeFile(home.path('vault/secrets.env.new'), `API_TOKEN=${after}\n`, {
          mode: 0o600,
        });
        await rename(home.path('vault/secrets.env.new'), home.path('vault/secrets.env'));
      });
      expect(result.stdout.includes(after) || result.stdout.includes(before)).toBe(false);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/secrets\.env .*was replaced while the agent ran/);
    },
    30_000,
  );
});
