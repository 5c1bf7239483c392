import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, cliPath, runIronrun, runProcess } from './cli-process.js';

/**
 * `init` → `trust` → `run test` on toolchains the person's shell finds and
 * the seal's default path (/usr/local/bin:/usr/bin:/bin) does not: each
 * project's tests pass only when they run on that toolchain, so each fails
 * where `init` writes no `path:`.
 */

let home: TestDir;
let project: TestDir;

beforeEach(async () => {
  home = await testdir();
  project = await testdir();
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

/** The person's environment: their shell's PATH, a HOME of their own, an ironrun config folder. */
function personEnv(path: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: home.dir,
    PATH: path,
    IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config'),
    NO_COLOR: '1',
    ...more,
  };
}

function shown(run: CliRun): string {
  return `exit ${run.code}\n${run.stdout}\n${run.stderr}`;
}

/**
 * `ironrun run test` and then `run test -- <oneArg>` (one test file) in `cwd`: each must exit
 * 0 and print its expected summary. Returns the second run, for more checks of its output.
 */
async function runTestsAllAndOne(
  cwd: string,
  env: Record<string, string>,
  expected: { all: RegExp; oneArg: string; one: RegExp },
): Promise<CliRun> {
  const all = await runIronrun(['run', 'test'], { cwd, env });
  expect(all.stdout, shown(all)).toMatch(expected.all);
  expect(all.code, shown(all)).toBe(0);
  const one = await runIronrun(['run', 'test', '--', expected.oneArg], { cwd, env });
  expect(one.stdout, shown(one)).toMatch(expected.one);
  expect(one.code, shown(one)).toBe(0);
  return one;
}

async function initAndTrust(env: Record<string, string>): Promise<string> {
  const init = await runIronrun(['init', '--agents', 'codex'], { cwd: project.dir, env });
  expect(init.code, shown(init)).toBe(0);
  const trust = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
  expect(trust.code, shown(trust)).toBe(0);
  return readFile(project.path('ironrun.yml'), 'utf8');
}

/**
 * The running node, copied under `bin` in the fake home as a Node install would be. A copy,
 * never a hard link: a link changes the ctime of the machine's node, which every trust
 * record pinning it by its fingerprint then reads as modified, failing tests that run
 * beside this one.
 */
async function installNode(bin: string): Promise<string> {
  await mkdir(bin, { recursive: true });
  const node = join(bin, 'node');
  copyFileSync(realpathSync(process.execPath), node);
  return node;
}

/** npm's own script, where the machine has npm next to its node. */
function npmScript(): string | undefined {
  for (const dir of [dirname(process.execPath), '/usr/bin', '/usr/local/bin']) {
    const npm = join(dir, 'npm');
    if (existsSync(npm)) return realpathSync(npm);
  }
  return undefined;
}

const nodeTests = (node: string): Record<string, string> => ({
  // Passes only on the node under the fake home: the seal's default path has another.
  'test/home-node.test.mjs': `import test from 'node:test';\nimport assert from 'node:assert';\ntest('runs on the home node', () => assert.equal(process.execPath, ${JSON.stringify(node)}));\n`,
  'test/other.test.mjs': "import test from 'node:test';\ntest('other', () => {});\n",
});

/**
 * A package.json project whose `node --test` passes only on a Node under
 * `~/.nvm/versions/node/vX/bin` (with npm beside it), on the person's PATH
 * only; undefined (skipped) where this node has no npm next to it.
 */
async function nvmProject(): Promise<{ bin: string; env: Record<string, string> } | undefined> {
  const npm = npmScript();
  if (npm === undefined) {
    console.log('skipped: no npm next to this node');
    return undefined;
  }
  const bin = home.path(`.nvm/versions/node/v${process.versions.node}/bin`);
  const node = await installNode(bin);
  await symlink(npm, join(bin, 'npm'));
  await project.write({
    'package.json': JSON.stringify({ name: 'homenode', scripts: { test: 'node --test' } }),
    ...nodeTests(node),
  });
  return { bin, env: personEnv(`${bin}:/usr/bin:/bin`) };
}

/**
 * A project with `makefile` whose node tests pass only on a Node under
 * `~/.local/node-vX/bin`, on the person's PATH only; undefined (skipped)
 * without make on the default path.
 */
async function homeNodeMakeProject(
  makefile: string,
): Promise<{ bin: string; env: Record<string, string> } | undefined> {
  const make = ['/usr/bin/make', '/bin/make', '/usr/local/bin/make'].find(existsSync);
  if (make === undefined) {
    console.log('skipped: no make on the default path (apt-get install make)');
    return undefined;
  }
  const bin = home.path(`.local/node-v${process.versions.node}/bin`);
  const node = await installNode(bin);
  await project.write({ Makefile: makefile, ...nodeTests(node) });
  return { bin, env: personEnv(`${bin}:/usr/bin:/bin`) };
}

/** Debian's python, when it has pytest and venv (python3-pytest, python3-venv). */
function debianPython(): string | undefined {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import pytest, venv'], { encoding: 'utf8' });
  if (probe.status === 0) return python;
  console.log(
    `skipped: ${python} lacks pytest or venv (apt-get install python3-pytest python3-venv)`,
  );
  return undefined;
}

/**
 * `python -m venv --system-site-packages` at `venv`, with a module only the
 * venv has (as `pip install` into it would leave); returns its site-packages.
 */
function makeVenv(python: string, venv: string): string {
  const made = spawnSync(python, ['-m', 'venv', '--system-site-packages', '--without-pip', venv], {
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  const purelib = spawnSync(
    join(venv, 'bin', 'python3'),
    ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
    { encoding: 'utf8' },
  ).stdout.trim();
  writeFileSync(join(purelib, 'venvonly.py'), 'ANSWER = 42\n');
  return purelib;
}

/**
 * A pytest project whose first test passes only in the venv at `venv` (its
 * prefix, its module, and with `virtualEnv` its `VIRTUAL_ENV`).
 */
function pytestProject(
  venv: string,
  options: { virtualEnv?: boolean } = {},
): Record<string, string> {
  const virtualEnv = options.virtualEnv
    ? `    assert os.environ.get("VIRTUAL_ENV") == ${JSON.stringify(venv)}\n`
    : '';
  return {
    'pyproject.toml':
      '[project]\nname = "app"\n\n[tool.pytest.ini_options]\naddopts = "-p no:cacheprovider"\n',
    'tests/test_venv.py': `import os\nimport sys\nimport venvonly\n\ndef test_runs_in_the_venv():\n    assert venvonly.ANSWER == 42\n    assert sys.prefix == ${JSON.stringify(venv)}\n${virtualEnv}`,
    'tests/test_other.py': 'def test_other():\n    assert True\n',
  };
}

/** The pytest project with its `.venv` made by Debian's python; false (skipped) without it. */
async function venvInProject(): Promise<boolean> {
  const python = debianPython();
  if (python === undefined) return false;
  await project.write(pytestProject(project.path('.venv')));
  makeVenv(python, project.path('.venv'));
  return true;
}

describe('init on the person’s toolchains', () => {
  it('finds a Node installed under a prefix in home (nvm layout), on PATH only in the shell', async () => {
    const made = await nvmProject();
    if (made === undefined) return;
    const { bin, env } = made;
    const policy = await initAndTrust(env);
    expect(policy).toContain(`    path: ${bin}:/usr/local/bin:/usr/bin:/bin\n`);
    expect(policy).toMatch(/# npm from nvm, node from nvm, where your shell finds them/);

    await runTestsAllAndOne(project.dir, env, {
      all: /# pass 2/,
      oneArg: 'test/home-node.test.mjs',
      one: /# pass 1\n/,
    });

    // check and doctor say nothing while path: matches the shell, and warn with the fix without it.
    const check = await runIronrun(['check'], { cwd: project.dir, env });
    expect(check.stdout, shown(check)).not.toMatch(/in your shell/);
    await writeFile(
      project.path('ironrun.yml'),
      policy.replace(`    path: ${bin}:/usr/local/bin:/usr/bin:/bin\n`, ''),
    );
    const warned = await runIronrun(['check'], { cwd: project.dir, env });
    expect(warned.stdout).toContain(
      `test: npm is /usr/bin/npm in the seal, but ${bin}/npm in your shell; set "path: ${bin}:/usr/local/bin:/usr/bin:/bin" on command "test"`,
    );
    const doctor = await runIronrun(['doctor'], { cwd: project.dir, env });
    expect(doctor.stdout).toMatch(/toolchain .*test: npm is \/usr\/bin\/npm in the seal/);
  });

  describe.each([
    { attack: 'the node that npm and the script run is swapped', target: 'node' },
    { attack: 'npm, the program argv names, is swapped', target: 'npm' },
    { attack: 'a sh that shadows /bin/sh is added to the toolchain folder', target: 'sh' },
  ])('after trust, when $attack', ({ target }) => {
    it('refuses to run, naming the program, and the planted one never runs', async () => {
      const made = await nvmProject();
      if (made === undefined) return;
      const { bin, env } = made;
      await initAndTrust(env);
      expect((await runIronrun(['run', 'test'], { cwd: project.dir, env })).code).toBe(0);

      // An editor-style rename, as the agent would do it.
      await writeFile(home.path('planted'), '#!/bin/sh\necho PLANTED-RAN\nexit 0\n', {
        mode: 0o755,
      });
      await rename(home.path('planted'), join(bin, target));
      const run = await runIronrun(['run', 'test'], { cwd: project.dir, env });
      expect(run.stdout + run.stderr).not.toContain('PLANTED-RAN');
      expect(run.code, shown(run)).toBe(3);
      expect(run.stderr).toContain(join(bin, target));
    });
  });

  it('finds a venv outside the project made with Debian’s python3 and python3-pytest', async () => {
    const python = debianPython();
    if (python === undefined) return;
    const venv = home.path('.virtualenvs/app');
    makeVenv(python, venv);
    await project.write(pytestProject(venv, { virtualEnv: true }));
    const env = personEnv(`${venv}/bin:/usr/bin:/bin`, { VIRTUAL_ENV: venv });
    const policy = await initAndTrust(env);
    expect(policy).toContain(`    path: ${venv}/bin:/usr/local/bin:/usr/bin:/bin\n`);
    expect(policy).toContain(`    env:\n      VIRTUAL_ENV: ${venv}\n`);

    await runTestsAllAndOne(project.dir, env, {
      all: /2 passed/,
      oneArg: 'tests/test_venv.py',
      one: /1 passed/,
    });
  });

  it('finds the node a Makefile recipe runs, installed under ~/.local', async () => {
    const made = await homeNodeMakeProject(
      '.PHONY: test\ntest:\n\tnode --test $(shell echo test/)\n',
    );
    if (made === undefined) return;
    const { bin, env } = made;
    const policy = await initAndTrust(env);
    expect(policy).toMatch(/argv: \[make, test\]\n/);
    expect(policy).toContain(`    path: ${bin}:/usr/local/bin:/usr/bin:/bin\n`);
    expect(policy).toMatch(/# node from a prefix in your home/);

    const run = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(run.stdout, shown(run)).toMatch(/# pass 2/);
    expect(run.code, shown(run)).toBe(0);
    // A make target takes no arguments (one would name another target or set a variable).
    const one = await runIronrun(['run', 'test', '--', 'test/other.test.mjs'], {
      cwd: project.dir,
      env,
    });
    expect(one.code, shown(one)).not.toBe(0);
    expect(one.stderr).toMatch(/argument/);
  });
  it('runs one test file of a Makefile project as TESTS=<file>, and nothing else make reads', async () => {
    const made = await homeNodeMakeProject(
      'TESTS ?= test/\n.PHONY: test other\ntest:\n\tnode --test $(TESTS)\nother:\n\ttouch OTHER-RAN\n',
    );
    if (made === undefined) return;
    const { env } = made;
    const policy = await initAndTrust(env);
    expect(policy).toMatch(/argv: \[make, test\]\n/);
    expect(policy).toContain("pattern: 'TESTS=");
    expect(policy).toContain('      max: 1\n');
    const agents = await readFile(project.path('AGENTS.md'), 'utf8');
    expect(agents).toContain('run test -- TESTS=test/example.test.js');

    const one = await runTestsAllAndOne(project.dir, env, {
      all: /# pass 2/,
      oneArg: 'TESTS=test/home-node.test.mjs',
      one: /# pass 1\n/,
    });
    expect(one.stdout, shown(one)).toMatch(/runs on the home node/);

    // What an agent would add to make instead: options, make's own variables, another goal, a path out.
    const attacks = [
      ['--eval=$(shell touch EVAL-RAN)'],
      ['-f', 'evil.mk'],
      ['-C', '/'],
      ['SHELL=/bin/sh'],
      ['MAKEFLAGS=--eval=x'],
      ['TESTS=test/other.test.mjs', 'other'],
      ['other'],
      ['TESTS=../outside.test.mjs'],
      ['TESTS=$(shell touch EVAL-RAN)'],
    ];
    for (const args of attacks) {
      const run = await runIronrun(['run', 'test', '--', ...args], { cwd: project.dir, env });
      expect(run.code, `${args.join(' ')}\n${shown(run)}`).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(/argument/);
      expect(run.stdout, args.join(' ')).not.toMatch(/# pass/);
    }
    expect(existsSync(project.path('EVAL-RAN'))).toBe(false);
    expect(existsSync(project.path('OTHER-RAN'))).toBe(false);
  });
});

const planted = '#!/bin/sh\necho PLANTED-RAN\ntouch "$(dirname "$0")/PLANTED-RAN"\nexit 0\n';

describe('init on the project’s own .venv (uv, poetry in-project, python -m venv .venv)', () => {
  /** A project with `.venv` made by Debian's python, `init` and `trust` done; undefined when skipped. */
  async function venvProject(
    env = personEnv('/usr/bin:/bin'),
  ): Promise<{ env: Record<string, string>; policy: string } | undefined> {
    if (!(await venvInProject())) return undefined;
    return { env, policy: await initAndTrust(env) };
  }

  it('runs the tests in the venv, all of them and one file, with no path:', async () => {
    const made = await venvProject();
    if (made === undefined) return;
    const { env, policy } = made;
    expect(policy).toContain('    argv: [.venv/bin/python3, "-m", pytest]\n');
    expect(policy).not.toMatch(/^ {4}path:|VIRTUAL_ENV|a venv inside the project/m);

    await runTestsAllAndOne(project.dir, env, {
      all: /2 passed/,
      oneArg: 'tests/test_venv.py',
      one: /1 passed/,
    });

    // A policy that names python3 bare, checked from a shell where the .venv is active.
    await writeFile(
      project.path('ironrun.yml'),
      policy.replace('[.venv/bin/python3, "-m", pytest]', '[python3, "-m", pytest]'),
    );
    const active = personEnv(`${project.path('.venv/bin')}:/usr/bin:/bin`, {
      VIRTUAL_ENV: project.path('.venv'),
    });
    const check = await runIronrun(['check'], { cwd: project.dir, env: active });
    expect(check.stdout, shown(check)).toContain(
      ` in the seal, but ${project.path('.venv/bin/python3')} in your shell; a path: may not name a folder in the project, so set "argv: [.venv/bin/python3, -m, pytest]" on command "test"`,
    );
    expect(check.stdout).toMatch(/test: python3 is \/\S+\/python3 in the seal, but /);
  });

  it('runs the same as uid 65534 with a home of its own (init, trust and run as that user)', async () => {
    const setpriv = '/usr/bin/setpriv';
    if (process.getuid?.() !== 0 || !existsSync(setpriv)) {
      console.log('skipped: running as an ordinary user needs root and setpriv');
      return;
    }
    if (!(await venvInProject())) return;
    for (const dir of [home.dir, project.dir])
      expect(spawnSync('/bin/chown', ['-R', '65534:65534', dir]).status).toBe(0);
    const env = personEnv('/usr/bin:/bin');
    const asNobody = (args: string[]) =>
      runProcess(
        setpriv,
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliPath, ...args],
        { cwd: project.dir, env },
      );
    const init = await asNobody(['init', '--agents', 'codex']);
    expect(init.code, shown(init)).toBe(0);
    const trust = await asNobody(['trust', '--yes']);
    expect(trust.code, shown(trust)).toBe(0);
    // The trust record was written by that user.
    expect(statSync(home.path('ironrun-config')).uid).toBe(65534);
    const all = await asNobody(['run', 'test']);
    expect(all.stdout, shown(all)).toMatch(/2 passed/);
    expect(all.code, shown(all)).toBe(0);
    const one = await asNobody(['run', 'test', '--', 'tests/test_venv.py']);
    expect(one.stdout, shown(one)).toMatch(/1 passed/);
    expect(one.code, shown(one)).toBe(0);
    // The agent's move as that user: the link retargeted to its own program.
    await writeFile(project.path('planted'), planted, { mode: 0o755 });
    await symlink('../../planted', project.path('.venv/bin/next'));
    await rename(project.path('.venv/bin/next'), project.path('.venv/bin/python3'));
    spawnSync('/bin/chown', ['-R', '-h', '65534:65534', project.dir]);
    const swapped = await asNobody(['run', 'test']);
    expect(swapped.stdout + swapped.stderr).not.toContain('PLANTED-RAN');
    expect(swapped.code, shown(swapped)).toBe(3);
  });

  it('says to make the .venv when only uv.lock is there', async () => {
    await project.write({ ...pytestProject(project.path('.venv')), 'uv.lock': 'version = 1\n' });
    const env = personEnv('/usr/bin:/bin');
    const init = await runIronrun(['init', '--agents', 'codex'], { cwd: project.dir, env });
    expect(init.code, shown(init)).toBe(0);
    const policy = await readFile(project.path('ironrun.yml'), 'utf8');
    expect(policy).toContain('argv: [python3, "-m", pytest]');
    expect(policy).toContain('uv.lock is here but no .venv yet: run uv sync');
  });

  describe.each([
    { argv0: 'python3', link: 'python3' },
    // python → python3 → /usr/bin/python3: the link the agent retargets is not argv[0] itself.
    { argv0: 'python', link: 'python3' },
  ])(
    'after trust of .venv/bin/$argv0, when the agent retargets .venv/bin/$link to its own program',
    ({ argv0, link }) => {
      it('refuses to run, naming the link, and the planted program never runs', async () => {
        const made = await venvProject();
        if (made === undefined) return;
        const { env, policy } = made;
        if (argv0 !== 'python3') {
          await writeFile(
            project.path('ironrun.yml'),
            policy.replace('[.venv/bin/python3,', `[.venv/bin/${argv0},`),
          );
          const again = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
          expect(again.code, shown(again)).toBe(0);
        }
        expect((await runIronrun(['run', 'test'], { cwd: project.dir, env })).code).toBe(0);

        await writeFile(project.path('planted'), planted, { mode: 0o755 });
        await symlink('../../planted', project.path('.venv/bin/next'));
        await rename(project.path('.venv/bin/next'), project.path(`.venv/bin/${link}`));
        const run = await runIronrun(['run', 'test'], { cwd: project.dir, env });
        expect(run.stdout + run.stderr).not.toContain('PLANTED-RAN');
        expect(existsSync(project.path('PLANTED-RAN'))).toBe(false);
        expect(run.code, shown(run)).toBe(3);
        expect(run.stderr).toContain(`.venv/bin/${link} (`);
      });
    },
  );

  it('refuses to run once pyvenv.cfg home names a python the agent made', async () => {
    const made = await venvProject();
    if (made === undefined) return;
    const { env } = made;
    // The agent's "python home": the system standard library linked name by name, plus a
    // sitecustomize of its own, which python imports at start-up from there.
    const lib = home.path('evil/lib/python3.11');
    await mkdir(lib, { recursive: true });
    const stdlib = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'],
      { encoding: 'utf8' },
    ).stdout.trim();
    for (const name of readdirSync(stdlib))
      if (name !== 'sitecustomize.py') await symlink(join(stdlib, name), join(lib, name));
    await writeFile(
      join(lib, 'sitecustomize.py'),
      `print("PLANTED-RAN")\nopen(${JSON.stringify(project.path('PLANTED-RAN'))}, "w").close()\n`,
    );
    const config = project.path('.venv/pyvenv.cfg');
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace(/^home = .*$/m, `home = ${home.path('evil/bin')}`),
    );

    const run = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(run.stdout + run.stderr).not.toContain('PLANTED-RAN');
    expect(existsSync(project.path('PLANTED-RAN'))).toBe(false);
    expect(run.code, shown(run)).toBe(3);
    expect(run.stderr).toContain('.venv/pyvenv.cfg (modified)');
  });

  describe.each([
    {
      attack: 'the venv’s python links to a program the agent wrote in the project',
      target: 'planted',
    },
    { attack: 'pyvenv.cfg home names a folder in the project', target: 'home' },
  ])('before trust, when $attack', ({ target }) => {
    it('trust refuses the command, and nothing runs', async () => {
      if (!(await venvInProject())) return;
      if (target === 'planted') {
        await writeFile(project.path('planted'), planted, { mode: 0o755 });
        await rm(project.path('.venv/bin/python3'));
        await symlink('../../planted', project.path('.venv/bin/python3'));
      } else {
        const config = project.path('.venv/pyvenv.cfg');
        await writeFile(
          config,
          (await readFile(config, 'utf8')).replace(
            /^home = .*$/m,
            `home = ${project.path('tools')}`,
          ),
        );
      }
      const env = personEnv('/usr/bin:/bin');
      const init = await runIronrun(['init', '--agents', 'codex'], { cwd: project.dir, env });
      expect(init.code, shown(init)).toBe(0);
      const trust = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
      expect(trust.code, shown(trust)).not.toBe(0);
      expect(trust.stderr).toMatch(/inside the project/);
      const run = await runIronrun(['run', 'test'], { cwd: project.dir, env });
      expect(run.code, shown(run)).not.toBe(0);
      expect(run.stdout + run.stderr).not.toContain('PLANTED-RAN');
      expect(existsSync(project.path('PLANTED-RAN'))).toBe(false);
    });
  });
});
