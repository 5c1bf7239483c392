import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chown, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nobody, nobodyMakesNamespaces, setpriv } from './as-nobody.js';
import { bwrapForbidsNesting } from './bwrap-forbids-nesting.js';
import { cliPath, runIronrun, runProcess } from './cli-process.js';

const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;
const node = process.execPath;

function available(): boolean {
  if (process.platform !== 'linux') return false;
  const run = spawnSync(node, [cliPath, 'agent', '--dry-run', '--', 'true'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' },
  });
  return run.status === 0;
}
const ok = available();
if (!ok) console.log('skipping the ironrun agent command tests: no confinement works here');
/** Whether bubblewrap can make a user namespace that forbids nested ones. */
const canForbidNesting = ok && bwrapForbidsNesting('/usr/bin/bwrap');
if (ok && !canForbidNesting) {
  console.log('skipping the refusal test: this bubblewrap cannot --disable-userns');
}

const nobodyUserns = ok && nobodyMakesNamespaces();
if (ok && !nobodyUserns) {
  console.log(
    'skipping the uid 65534 plant test: not run as root (setpriv needs it), or uid 65534 cannot create user namespaces here',
  );
}

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;

beforeAll(async () => {
  home = await testdir({ 'cfg/secrets.env': { content: `API_TOKEN=${SECRET}\n`, mode: 0o600 } });
  project = await testdir({
    'ironrun.yml': [
      'version: 1',
      'provider: envfile',
      'commands:',
      '  - id: print',
      '    argv: [./print.sh]',
      '    env: { API_TOKEN: envfile://API_TOKEN }',
      '',
    ].join('\n'),
    'print.sh': { content: '#!/bin/sh\necho "token is $API_TOKEN"\nexit 3\n', mode: 0o755 },
  });
  env = {
    HOME: home.dir,
    IRONRUN_CONFIG_DIR: home.path('cfg'),
    XDG_STATE_HOME: home.path('state'),
    DOPPLER_TOKEN: `dp.st.${randomBytes(8).toString('hex')}`,
  };
  expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
});

afterAll(async () => {
  await project?.cleanup();
  await home?.cleanup();
});

describe.skipIf(!ok)('ironrun agent', () => {
  it('exits with the agent’s own exit code', async () => {
    const run = await runIronrun(['agent', '--', '/bin/sh', '-c', 'exit 7'], {
      cwd: project.dir,
      env,
    });
    expect(run.code).toBe(7);
  });

  it('through the bin loads neither node:crypto nor node:fs/promises before the confinement starts (core’s run pipeline loads after)', async () => {
    // What runs before the launch delays the agent: only the providers' declarations of core
    // are needed there, not its sandbox, redactor or pipeline, which use node:crypto
    // (bench/agent.bench.mjs), and no promise-based file call (every one before the start is
    // synchronous; node:fs/promises alone costs about 1.3 ms to load). Node lists every built-in it loaded in process.moduleLoadList;
    // the launch is the one spawn with a fourth descriptor (the set-up's report: bubblewrap's
    // status, or the own set-up's marker).
    const binPath = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
    const listed = project.path('loaded-at-launch.txt');
    const preload = project.path('list-loaded-at-launch.cjs');
    await writeFile(
      preload,
      [
        "const childProcess = require('node:child_process');",
        'const spawn = childProcess.spawn;',
        'childProcess.spawn = function (file, args, options) {',
        `  if (Array.isArray(options?.stdio) && options.stdio.length === 4) require('node:fs').writeFileSync(${JSON.stringify(listed)}, process.moduleLoadList.join('\\n'));`,
        '  return spawn.call(this, file, args, options);',
        '};',
        '',
      ].join('\n'),
    );
    const run = await runProcess(node, ['-r', preload, binPath, 'agent', '--', '/bin/true'], {
      cwd: project.dir,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    const loaded = (await readFile(listed, 'utf8')).split('\n');
    expect(loaded).toContain('NativeModule child_process');
    expect(
      loaded.filter(
        (name) => name === 'NativeModule crypto' || name === 'NativeModule fs/promises',
      ),
    ).toEqual([]);
  });

  it('forwards ironrun run inside to the broker: live redacted output and the command’s exit code', async () => {
    const run = await runIronrun(['agent', '--', node, cliPath, 'run', 'print'], {
      cwd: project.dir,
      env,
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('token is [REDACTED]\n');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('doctor inside reports confined: yes and that no secret location can be read', async () => {
    const run = await runIronrun(['agent', '--', node, cliPath, 'doctor', '--json'], {
      cwd: project.dir,
      env,
    });
    const report = JSON.parse(run.stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    const named = (name: string) => report.checks.filter((check) => check.name === name);
    expect(named('confined')).toEqual([
      expect.objectContaining({ status: 'ok', detail: expect.stringMatching(/^yes/) }),
    ]);
    const locations = named('secret location');
    expect(locations.map((check) => check.detail)).toEqual(
      expect.arrayContaining([expect.stringContaining(home.path('cfg'))]),
    );
    for (const check of locations) expect(check.status, check.detail).toBe('ok');
    expect(named('credential variables')[0]?.status).toBe('ok');
    expect(named('broker')[0]?.status).toBe('ok');
    expect(run.stdout).not.toContain(SECRET);
  });

  it('doctor outside reports it is not confined and how to start the agent confined', async () => {
    const run = await runIronrun(['doctor', '--json'], { cwd: project.dir, env });
    const report = JSON.parse(run.stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    expect(report.checks.find((check) => check.name === 'confined')?.detail).toMatch(
      /^no: .*ironrun agent -- <agent>/,
    );
  });

  it.skipIf(!canForbidNesting)(
    'refuses, with the reason and the fix, where no confinement works, and never starts the agent',
    async () => {
      const marker = project.path('agent-ran');
      // A user namespace that forbids nested ones: neither bubblewrap nor unshare can confine here.
      const run = spawnSync(
        '/usr/bin/bwrap',
        [
          '--unshare-user',
          '--disable-userns',
          '--dev-bind',
          '/',
          '/',
          '--',
          node,
          cliPath,
          'agent',
          '--',
          '/bin/touch',
          marker,
        ],
        {
          cwd: project.dir,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(5);
      expect(run.stderr).toMatch(/Cannot confine the agent here: .*It was not started/);
      expect(run.stderr).toMatch(/Install bubblewrap/);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it('refuses when a secret location holds the project, since hiding it would hide the work', async () => {
    const run = await runIronrun(['agent', '--', '/bin/true'], {
      cwd: project.dir,
      env: { ...env, IRONRUN_CONFIG_DIR: join(project.dir, '..') },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds this folder/);
  });

  it('creates ironrun’s config folders before the start, so an agent cannot plant a trust record or an envfile in one that was missing', async () => {
    // A folder absent at the start cannot be covered (a mount needs a mount point): the agent
    // could create it, write a trust record for a policy of its own, and be stopped by the cover
    // watch only after the file was written, leaving it for the next run outside.
    const fresh = await testdir({});
    const empty = await testdir({});
    try {
      const folders = [fresh.path('cfg'), fresh.path('xdg/ironrun'), fresh.path('.config/ironrun')];
      const freshEnv = {
        HOME: fresh.dir,
        IRONRUN_CONFIG_DIR: fresh.path('cfg'),
        XDG_CONFIG_HOME: fresh.path('xdg'),
        XDG_STATE_HOME: fresh.path('state'),
      };
      const plant = folders
        .map(
          (folder) =>
            `mkdir -p '${folder}/trust'; echo '{}' > '${folder}/trust/planted.json'; echo 'API_TOKEN=planted' > '${folder}/secrets.env'`,
        )
        .join('; ');
      await runIronrun(['agent', '--', '/bin/sh', '-c', `${plant}; sleep 1`], {
        cwd: empty.dir,
        env: freshEnv,
      });
      for (const folder of folders) {
        expect(existsSync(join(folder, 'trust', 'planted.json')), folder).toBe(false);
        expect(existsSync(join(folder, 'secrets.env')), folder).toBe(false);
        expect(statSync(folder).mode & 0o777, folder).toBe(0o700);
      }
    } finally {
      await empty.cleanup();
      await fresh.cleanup();
    }
  });

  for (const kind of ['bubblewrap', 'unshare'] as const) {
    it.skipIf(!nobodyUserns)(
      `as uid 65534 with a fresh home (${kind}): the agent cannot plant a trust record in ~/.config/ironrun, left mode 700 and empty`,
      async () => {
        const fresh = await testdir({});
        const control = await testdir({});
        const empty = await testdir({});
        try {
          for (const dir of [fresh, control, empty]) await chown(dir.dir, 65534, 65534);
          const plant = [
            'if mkdir -p ~/.config/ironrun/trust && echo "{}" > ~/.config/ironrun/trust/planted.json',
            'then echo planted; else echo refused; fi',
          ].join('; ');
          const envOf = (dir: TestDir) => ({
            HOME: dir.dir,
            XDG_STATE_HOME: dir.path('state'),
            PATH: '/usr/bin:/bin',
          });
          // The control: the same line as uid 65534 outside plants the record.
          const outside = await runProcess(setpriv, [...nobody, '/bin/sh', '-c', plant], {
            cwd: empty.dir,
            env: envOf(control),
          });
          expect(outside.stdout).toBe('planted\n');
          expect(existsSync(control.path('.config/ironrun/trust/planted.json'))).toBe(true);

          const inside = await runProcess(
            setpriv,
            [
              ...nobody,
              node,
              cliPath,
              'agent',
              '--confinement',
              kind,
              '--',
              '/bin/sh',
              '-c',
              plant,
            ],
            { cwd: empty.dir, env: envOf(fresh) },
          );
          expect(inside.code, inside.stderr).toBe(0);
          expect(inside.stdout).toBe('refused\n');
          const folder = fresh.path('.config/ironrun');
          expect(existsSync(join(folder, 'trust', 'planted.json'))).toBe(false);
          const stat = statSync(folder);
          expect(stat.uid).toBe(65534);
          expect(stat.mode & 0o777).toBe(0o700);
          expect(readdirSync(folder)).toEqual([]);
        } finally {
          await empty.cleanup();
          await control.cleanup();
          await fresh.cleanup();
        }
      },
    );
  }

  it('refuses to start without an agent command', async () => {
    const run = await runIronrun(['agent'], { cwd: project.dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ironrun agent -- claude/);
  });
});
