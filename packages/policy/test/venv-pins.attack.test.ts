import { chmod, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rejection, type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { venvHome } from '../src/pin-plan.js';
import { isPolicyError } from '../src/policy-error.js';
import { checkTrust, trust } from '../src/trust.js';

// A project venv as `python3 -m venv .venv` lays it out: bin/python3 a link
// to a python outside the project (here a stand-in file in a toolchain folder
// of its own), bin/python a link to python3, and pyvenv.cfg. Each attack is
// the agent's move: the venv lies in the project it writes.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

interface VenvProject {
  dir: TestDir;
  tools: TestDir;
  configDir: string;
  policyPath: string;
  /** The real python the venv links to. */
  real: string;
}

async function venvProject(argv0 = '.venv/bin/python3'): Promise<VenvProject> {
  const tools = await testdir({ 'bin/python3.11': '#!/bin/sh\necho python\n' });
  await chmod(tools.path('bin/python3.11'), 0o755);
  await symlink('python3.11', tools.path('bin/python3'));
  const dir = await testdir({
    'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - { id: test, argv: [${argv0}, -m, pytest] }\n  - { id: other, argv: [/bin/true] }\n`,
    '.venv/pyvenv.cfg': `home = ${tools.path('bin')}\ninclude-system-site-packages = true\n`,
  });
  await mkdir(dir.path('.venv/bin'), { recursive: true });
  await symlink(tools.path('bin/python3'), dir.path('.venv/bin/python3'));
  await symlink('python3', dir.path('.venv/bin/python'));
  const config = await testdir();
  cleanups.push(dir.cleanup, tools.cleanup, config.cleanup);
  return {
    dir,
    tools,
    configDir: join(config.dir, 'ironrun'),
    policyPath: dir.path('ironrun.yml'),
    real: tools.path('bin/python3.11'),
  };
}

async function changedAfter(
  setup: VenvProject,
  attack: () => Promise<void>,
): Promise<{ path: string; reason: string }[]> {
  await trust(setup.policyPath, { configDir: setup.configDir });
  await attack();
  const check = await checkTrust(setup.policyPath, { configDir: setup.configDir, command: 'test' });
  return check.status === 'changed' ? check.changed : [];
}

async function trustRefusal(setup: VenvProject): Promise<string> {
  const error = await rejection(
    trust(setup.policyPath, { configDir: setup.configDir }),
    isPolicyError,
  );
  expect(error.code).toBe('INVALID_POLICY');
  return error.message;
}

describe('trust of a project venv’s python', () => {
  it('records the real python for the run, for that command only', async () => {
    const setup = await venvProject();
    const record = await trust(setup.policyPath, { configDir: setup.configDir });
    expect(record.commands?.test?.program).toBe(setup.real);
    expect(record.commands?.other?.program).toBeUndefined();
    const check = await checkTrust(setup.policyPath, {
      configDir: setup.configDir,
      command: 'test',
    });
    expect(check).toMatchObject({ status: 'trusted', programs: { test: setup.real } });
  });

  it.each([
    ['.venv/bin/python3', '.venv/bin/python3'],
    // python → python3 → the toolchain: the retargeted link is the second one.
    ['.venv/bin/python', '.venv/bin/python3'],
    ['.venv/bin/python', '.venv/bin/python'],
  ])('reports %s when the agent retargets %s after trust', async (argv0, link) => {
    const setup = await venvProject(argv0);
    await writeFile(setup.dir.path('planted'), '#!/bin/sh\necho planted\n', { mode: 0o755 });
    const changed = await changedAfter(setup, async () => {
      await symlink(setup.dir.path('planted'), setup.dir.path('.venv/bin/next'));
      await rename(setup.dir.path('.venv/bin/next'), setup.dir.path(link));
    });
    expect(changed).toContainEqual({ path: setup.dir.path(link), reason: 'modified' });
  });

  it('reports the python it links to, swapped in the toolchain folder', async () => {
    const setup = await venvProject();
    const changed = await changedAfter(setup, () =>
      writeFile(setup.real, '#!/bin/sh\necho swapped\n'),
    );
    expect(changed).toContainEqual({ path: setup.real, reason: 'modified' });
  });

  it('reports an edit of pyvenv.cfg (home) after trust', async () => {
    const setup = await venvProject();
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('.venv/pyvenv.cfg'), 'home = /tmp/agent-python/bin\n'),
    );
    expect(changed).toContainEqual({
      path: setup.dir.path('.venv/pyvenv.cfg'),
      reason: 'modified',
    });
  });

  it('reports a bin/pyvenv.cfg added after trust (python reads it before the venv’s own)', async () => {
    const setup = await venvProject();
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('.venv/bin/pyvenv.cfg'), 'home = /tmp/agent-python/bin\n'),
    );
    expect(changed).toContainEqual({
      path: setup.dir.path('.venv/bin/pyvenv.cfg'),
      reason: 'added',
    });
  });

  it('reports the venv folder swapped for a symlink after trust', async () => {
    const setup = await venvProject();
    const elsewhere = await testdir();
    cleanups.push(elsewhere.cleanup);
    const changed = await changedAfter(setup, async () => {
      await rename(setup.dir.path('.venv'), elsewhere.path('venv'));
      await symlink(elsewhere.path('venv'), setup.dir.path('.venv'));
    });
    expect(changed).toContainEqual({ path: setup.dir.path('.venv'), reason: 'symlink' });
  });

  it('refuses a venv python that is a file in the project (an agent-written binary)', async () => {
    const setup = await venvProject();
    await mkdir(setup.dir.path('tools'));
    await writeFile(setup.dir.path('tools/python3'), '#!/bin/sh\necho planted\n', {
      mode: 0o755,
    });
    await rm(setup.dir.path('.venv/bin/python3'));
    await symlink('../../tools/python3', setup.dir.path('.venv/bin/python3'));
    expect(await trustRefusal(setup)).toMatch(
      /command test: "\.venv\/bin\/python3": the venv interpreter is .*tools\/python3, a file inside the project/,
    );
  });

  it('refuses a venv made with --copies (its python is a file in the project)', async () => {
    const setup = await venvProject();
    await rm(setup.dir.path('.venv/bin/python3'));
    await writeFile(setup.dir.path('.venv/bin/python3'), '#!/bin/sh\necho copy\n', {
      mode: 0o755,
    });
    expect(await trustRefusal(setup)).toMatch(/a file inside the project/);
  });

  it('refuses a pyvenv.cfg whose home lies in the project', async () => {
    const setup = await venvProject();
    await writeFile(setup.dir.path('.venv/pyvenv.cfg'), `home = ${setup.dir.path('py/bin')}\n`);
    expect(await trustRefusal(setup)).toMatch(/home = .*, inside the project/);
  });

  it('refuses a pyvenv.cfg with no home, or two', async () => {
    const setup = await venvProject();
    await writeFile(setup.dir.path('.venv/pyvenv.cfg'), 'version = 3.11\n');
    expect(await trustRefusal(setup)).toMatch(/names no single absolute home/);
    await writeFile(setup.dir.path('.venv/pyvenv.cfg'), 'home = /usr/bin\nHome = /tmp/x\n');
    expect(await trustRefusal(setup)).toMatch(/names no single absolute home/);
  });

  it('refuses a venv folder that is a symlink', async () => {
    const setup = await venvProject();
    const elsewhere = await testdir();
    cleanups.push(elsewhere.cleanup);
    await rename(setup.dir.path('.venv'), elsewhere.path('venv'));
    await symlink(elsewhere.path('venv'), setup.dir.path('.venv'));
    expect(await trustRefusal(setup)).toMatch(/is not a plain folder/);
  });

  it('still refuses a relative program that is not a venv python and leads out', async () => {
    const setup = await venvProject('.venv/bin/tool');
    await symlink('/bin/true', setup.dir.path('.venv/bin/tool'));
    expect(await trustRefusal(setup)).toMatch(/really lies outside the project/);
  });
});

describe('venvHome', () => {
  it('reads home as python does: key = value, the key in any case', () => {
    expect(venvHome('home = /usr/bin\nversion = 3.11\n')).toBe('/usr/bin');
    expect(venvHome('HOME=/opt/py/bin\r\n')).toBe('/opt/py/bin');
    expect(venvHome('version = 3.11\n')).toBeUndefined();
    expect(venvHome('home = /a\nhome = /b\n')).toBeUndefined();
  });
});
