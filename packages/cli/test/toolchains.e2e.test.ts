import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, runIronrun } from './cli-process.js';

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

async function initAndTrust(env: Record<string, string>): Promise<string> {
  const init = await runIronrun(['init', '--agents', 'codex'], { cwd: project.dir, env });
  expect(init.code, shown(init)).toBe(0);
  const trust = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
  expect(trust.code, shown(trust)).toBe(0);
  return readFile(project.path('ironrun.yml'), 'utf8');
}

/** The running node, put under `bin` in the fake home as a Node install would be (a hard link, else a copy). */
async function installNode(bin: string): Promise<string> {
  await mkdir(bin, { recursive: true });
  const node = join(bin, 'node');
  const real = realpathSync(process.execPath);
  try {
    linkSync(real, node);
  } catch {
    copyFileSync(real, node);
  }
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

describe('init on the person’s toolchains', () => {
  it('finds a Node installed under a prefix in home (nvm layout), on PATH only in the shell', async () => {
    const npm = npmScript();
    if (npm === undefined) {
      console.log('skipped: no npm next to this node');
      return;
    }
    const bin = home.path(`.nvm/versions/node/v${process.versions.node}/bin`);
    const node = await installNode(bin);
    await symlink(npm, join(bin, 'npm'));
    await project.write({
      'package.json': JSON.stringify({ name: 'homenode', scripts: { test: 'node --test' } }),
      ...nodeTests(node),
    });
    const env = personEnv(`${bin}:/usr/bin:/bin`);
    const policy = await initAndTrust(env);
    expect(policy).toContain(`    path: ${bin}:/usr/local/bin:/usr/bin:/bin\n`);
    expect(policy).toMatch(/# npm from nvm, node from nvm, where your shell finds them/);

    const all = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(all.stdout, shown(all)).toMatch(/# pass 2/);
    expect(all.code, shown(all)).toBe(0);
    const one = await runIronrun(['run', 'test', '--', 'test/home-node.test.mjs'], {
      cwd: project.dir,
      env,
    });
    expect(one.stdout, shown(one)).toMatch(/# pass 1\n/);
    expect(one.code, shown(one)).toBe(0);

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
      const npm = npmScript();
      if (npm === undefined) {
        console.log('skipped: no npm next to this node');
        return;
      }
      const bin = home.path(`.nvm/versions/node/v${process.versions.node}/bin`);
      const node = await installNode(bin);
      await symlink(npm, join(bin, 'npm'));
      await project.write({
        'package.json': JSON.stringify({ name: 'homenode', scripts: { test: 'node --test' } }),
        ...nodeTests(node),
      });
      const env = personEnv(`${bin}:/usr/bin:/bin`);
      await initAndTrust(env);
      expect((await runIronrun(['run', 'test'], { cwd: project.dir, env })).code).toBe(0);

      // An editor-style rename (never a write into the hard link), as the agent would do it.
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
    const python = '/usr/bin/python3';
    const probe = spawnSync(python, ['-c', 'import pytest, venv'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(
        `skipped: ${python} lacks pytest or venv (apt-get install python3-pytest python3-venv)`,
      );
      return;
    }
    const venv = home.path('.virtualenvs/app');
    const made = spawnSync(
      python,
      ['-m', 'venv', '--system-site-packages', '--without-pip', venv],
      {
        encoding: 'utf8',
      },
    );
    expect(made.status, made.stderr).toBe(0);
    const purelib = spawnSync(
      join(venv, 'bin', 'python3'),
      ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
      { encoding: 'utf8' },
    ).stdout.trim();
    // A module only the venv has, as `pip install` into it would leave.
    await writeFile(join(purelib, 'venvonly.py'), 'ANSWER = 42\n');
    await project.write({
      'pyproject.toml':
        '[project]\nname = "app"\n\n[tool.pytest.ini_options]\naddopts = "-p no:cacheprovider"\n',
      'tests/test_venv.py': `import os\nimport venvonly\n\ndef test_runs_in_the_venv():\n    assert venvonly.ANSWER == 42\n    assert os.environ.get("VIRTUAL_ENV") == ${JSON.stringify(venv)}\n`,
      'tests/test_other.py': 'def test_other():\n    assert True\n',
    });
    const env = personEnv(`${venv}/bin:/usr/bin:/bin`, { VIRTUAL_ENV: venv });
    const policy = await initAndTrust(env);
    expect(policy).toContain(`    path: ${venv}/bin:/usr/local/bin:/usr/bin:/bin\n`);
    expect(policy).toContain(`    env:\n      VIRTUAL_ENV: ${venv}\n`);

    const all = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(all.stdout, shown(all)).toMatch(/2 passed/);
    expect(all.code, shown(all)).toBe(0);
    const one = await runIronrun(['run', 'test', '--', 'tests/test_venv.py'], {
      cwd: project.dir,
      env,
    });
    expect(one.stdout, shown(one)).toMatch(/1 passed/);
    expect(one.code, shown(one)).toBe(0);
  });

  it('finds the node a Makefile recipe runs, installed under ~/.local', async () => {
    const make = ['/usr/bin/make', '/bin/make', '/usr/local/bin/make'].find(existsSync);
    if (make === undefined) {
      console.log('skipped: no make on the default path (apt-get install make)');
      return;
    }
    const bin = home.path(`.local/node-v${process.versions.node}/bin`);
    const node = await installNode(bin);
    await project.write({
      Makefile: '.PHONY: test\ntest:\n\tnode --test $(shell echo test/)\n',
      ...nodeTests(node),
    });
    const env = personEnv(`${bin}:/usr/bin:/bin`);
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
    const make = ['/usr/bin/make', '/bin/make', '/usr/local/bin/make'].find(existsSync);
    if (make === undefined) {
      console.log('skipped: no make on the default path (apt-get install make)');
      return;
    }
    const bin = home.path(`.local/node-v${process.versions.node}/bin`);
    const node = await installNode(bin);
    await project.write({
      Makefile:
        'TESTS ?= test/\n.PHONY: test other\ntest:\n\tnode --test $(TESTS)\nother:\n\ttouch OTHER-RAN\n',
      ...nodeTests(node),
    });
    const env = personEnv(`${bin}:/usr/bin:/bin`);
    const policy = await initAndTrust(env);
    expect(policy).toMatch(/argv: \[make, test\]\n/);
    expect(policy).toContain("pattern: 'TESTS=");
    expect(policy).toContain('      max: 1\n');
    const agents = await readFile(project.path('AGENTS.md'), 'utf8');
    expect(agents).toContain('run test -- TESTS=test/example.test.js');

    const all = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(all.stdout, shown(all)).toMatch(/# pass 2/);
    expect(all.code, shown(all)).toBe(0);
    const one = await runIronrun(['run', 'test', '--', 'TESTS=test/home-node.test.mjs'], {
      cwd: project.dir,
      env,
    });
    expect(one.stdout, shown(one)).toMatch(/# pass 1\n/);
    expect(one.stdout, shown(one)).toMatch(/runs on the home node/);
    expect(one.code, shown(one)).toBe(0);

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
