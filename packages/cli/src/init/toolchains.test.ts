import { spawnSync } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { validatePolicy } from '@ironrun/policy';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderPolicyTemplate } from './policy-template.js';
import type { ProjectTask } from './project-tasks.js';
import { detectTaskToolchain, type ToolchainContext, taskPrograms } from './toolchains.js';

const exe = '#!/bin/sh\nexit 0\n';

let home: TestDir;
let project: TestDir;
let sys: string;

beforeEach(async () => {
  // The "system" folder stands for the seal's default path: it has make, npm and python3.
  home = await testdir({ 'sys/bin/make': exe, 'sys/bin/npm': exe, 'sys/bin/python3': exe });
  project = await testdir();
  sys = home.path('sys/bin');
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

function context(path: string[], env: Record<string, string> = {}): ToolchainContext {
  return {
    projectDir: project.dir,
    env: { HOME: home.dir, PATH: [...path, sys].join(':'), ...env },
    defaultPath: sys,
  };
}

const npmTest: ProjectTask = {
  id: 'test',
  argv: ['npm', 'run', 'test', '--'],
  definedIn: 'package.json',
  pinPart: 'scripts.test',
  description: 'npm run test',
};
const pytest: ProjectTask = {
  id: 'test',
  argv: ['python3', '-m', 'pytest'],
  definedIn: 'pyproject.toml',
  description: 'pytest',
};

describe('taskPrograms', () => {
  it('adds node for a package manager and the script’s programs, but not the project’s own bins', async () => {
    await project.write({
      'package.json': JSON.stringify({
        scripts: { test: 'tsc && vitest run $(ls x) && node --test' },
      }),
      'node_modules/.bin/vitest': exe,
    });
    expect(taskPrograms(npmTest, project.dir)).toEqual(['npm', 'node', 'tsc']);
  });

  it('reads a make target’s recipe, skipping make variables and $(shell …)', async () => {
    await project.write({
      Makefile: 'test:\n\t@$(PYTHON) x\n\tpython3 -m pytest $(shell node -v)\n\tcargo test\n',
    });
    const make: ProjectTask = {
      id: 'test',
      argv: ['make', 'test'],
      definedIn: 'Makefile',
      description: 'make test',
    };
    expect(taskPrograms(make, project.dir)).toEqual(['make', 'python3', 'cargo']);
  });

  it('needs java for gradle, maven and their wrappers', () => {
    const task = (argv: string[]): ProjectTask => ({ ...pytest, argv });
    expect(taskPrograms(task(['gradle', 'test']), project.dir)).toEqual(['gradle', 'java']);
    expect(taskPrograms(task(['./mvnw', 'test']), project.dir)).toEqual(['java']);
  });
});

describe('detectTaskToolchain', () => {
  it('writes no path: when the default path finds the same programs', async () => {
    await project.write({ 'package.json': JSON.stringify({ scripts: { test: 'npm -v' } }) });
    const found = detectTaskToolchain(npmTest, context([]));
    expect(found).toEqual({ env: {}, found: [], notes: [] });
  });

  it('puts an nvm node on PATH only in the shell first in path:', async () => {
    await home.write({ '.nvm/versions/node/v22.1.0/bin/node': exe });
    await project.write({ 'package.json': JSON.stringify({ scripts: { test: 'node --test' } }) });
    const bin = home.path('.nvm/versions/node/v22.1.0/bin');
    const found = detectTaskToolchain(npmTest, context([bin]));
    expect(found.path).toBe(`${bin}:${sys}`);
    expect(found.found).toEqual([{ program: 'node', folder: bin, toolchain: 'nvm' }]);
  });

  it('follows a pyenv shim to the version .python-version names (a prefix picks the newest)', async () => {
    await home.write({
      '.pyenv/shims/python3': exe,
      '.pyenv/versions/3.12.1/bin/python3': exe,
      '.pyenv/versions/3.12.9/bin/python3': exe,
      '.pyenv/versions/3.11.7/bin/python3': exe,
      '.pyenv/version': '3.11.7\n',
    });
    const shims = home.path('.pyenv/shims');
    expect(detectTaskToolchain(pytest, context([shims])).found[0]?.folder).toBe(
      home.path('.pyenv/versions/3.11.7/bin'),
    );
    await project.write({ '.python-version': '3.12\n' });
    expect(detectTaskToolchain(pytest, context([shims])).found[0]).toEqual({
      program: 'python3',
      folder: home.path('.pyenv/versions/3.12.9/bin'),
      toolchain: 'pyenv',
    });
    expect(
      detectTaskToolchain(pytest, context([shims], { PYENV_VERSION: '3.12.1' })).found[0]?.folder,
    ).toBe(home.path('.pyenv/versions/3.12.1/bin'));
    // "system" is the python after the shims: the default one here.
    expect(detectTaskToolchain(pytest, context([shims], { PYENV_VERSION: 'system' })).path).toBe(
      undefined,
    );
    const missing = detectTaskToolchain(pytest, context([shims], { PYENV_VERSION: '3.99' }));
    expect(missing.path).toBeUndefined();
    expect(missing.notes).toEqual([expect.stringMatching(/pyenv shim for 3\.99/)]);
  });

  it('follows rbenv, nodenv and goenv shims the same way', async () => {
    await home.write({
      '.goenv/shims/go': exe,
      '.goenv/versions/1.22.3/bin/go': exe,
      '.rbenv/shims/ruby': exe,
      '.rbenv/versions/3.3.0/bin/ruby': exe,
    });
    await project.write({ '.go-version': '1.22.3\n', '.ruby-version': 'ruby-3.3.0\n3.3.0' });
    const go = detectTaskToolchain(
      { ...pytest, argv: ['go', 'test', './...'] },
      context([home.path('.goenv/shims')]),
    );
    expect(go.found).toEqual([
      { program: 'go', folder: home.path('.goenv/versions/1.22.3/bin'), toolchain: 'goenv' },
    ]);
    const ruby = detectTaskToolchain(
      { ...pytest, argv: ['ruby', 'x.rb'] },
      context([home.path('.rbenv/shims')], { RBENV_VERSION: '3.3.0' }),
    );
    expect(ruby.found[0]?.toolchain).toBe('rbenv');
  });

  it('follows asdf shims through .tool-versions and mise shims through mise.toml', async () => {
    await home.write({
      '.asdf/shims/node': exe,
      '.asdf/installs/nodejs/20.11.0/bin/node': exe,
      '.local/share/mise/shims/node': exe,
      '.local/share/mise/installs/node/20.11.1/bin/node': exe,
      '.local/share/mise/installs/node/18.0.0/bin/node': exe,
    });
    await project.write({
      'package.json': JSON.stringify({ scripts: { test: 'node --test' } }),
      '.tool-versions': '# pinned\nnodejs 20.11.0\n',
    });
    expect(detectTaskToolchain(npmTest, context([home.path('.asdf/shims')])).found).toEqual([
      {
        program: 'node',
        folder: home.path('.asdf/installs/nodejs/20.11.0/bin'),
        toolchain: 'asdf',
      },
    ]);
    await project.write({ 'mise.toml': '[tools]\nnode = "20"\n' });
    expect(
      detectTaskToolchain(npmTest, context([home.path('.local/share/mise/shims')])).found[0]
        ?.folder,
    ).toBe(home.path('.local/share/mise/installs/node/20.11.1/bin'));
  });

  it('follows a volta shim to the node package.json pins, else volta’s default', async () => {
    await home.write({
      '.volta/bin/node': exe,
      '.volta/tools/image/node/18.19.0/bin/node': exe,
      '.volta/tools/image/node/20.1.0/bin/node': exe,
      '.volta/tools/user/platform.json': JSON.stringify({ node: { runtime: '20.1.0' } }),
    });
    await project.write({ 'package.json': JSON.stringify({ scripts: { test: 'node --test' } }) });
    const shims = [home.path('.volta/bin')];
    expect(detectTaskToolchain(npmTest, context(shims)).found[0]?.folder).toBe(
      home.path('.volta/tools/image/node/20.1.0/bin'),
    );
    await project.write({
      'package.json': JSON.stringify({
        scripts: { test: 'node --test' },
        volta: { node: '18.19.0' },
      }),
    });
    expect(detectTaskToolchain(npmTest, context(shims)).found[0]).toEqual({
      program: 'node',
      folder: home.path('.volta/tools/image/node/18.19.0/bin'),
      toolchain: 'volta',
    });
  });

  it('replaces fnm’s per-shell folder by the install it links to', async () => {
    await home.write({ '.local/share/fnm/node-versions/v20.0.0/installation/bin/node': exe });
    await mkdir(home.path('run/fnm_multishells'), { recursive: true });
    await symlink(
      home.path('.local/share/fnm/node-versions/v20.0.0/installation'),
      home.path('run/fnm_multishells/123_456'),
    );
    await project.write({ 'package.json': JSON.stringify({ scripts: { test: 'node --test' } }) });
    const found = detectTaskToolchain(
      npmTest,
      context([home.path('run/fnm_multishells/123_456/bin')]),
    );
    expect(found.found).toEqual([
      {
        program: 'node',
        folder: home.path('.local/share/fnm/node-versions/v20.0.0/installation/bin'),
        toolchain: 'fnm',
      },
    ]);
  });

  it('gives an active venv outside the project its VIRTUAL_ENV', async () => {
    await home.write({ 'venvs/app/pyvenv.cfg': 'home = /usr/bin\n', 'venvs/app/bin/python3': exe });
    const found = detectTaskToolchain(
      pytest,
      context([home.path('venvs/app/bin')], { VIRTUAL_ENV: home.path('venvs/app') }),
    );
    expect(found.path).toBe(`${home.path('venvs/app/bin')}:${sys}`);
    expect(found.env).toEqual({ VIRTUAL_ENV: home.path('venvs/app') });
    expect(found.found[0]?.toolchain).toBe('venv');
  });

  it('never puts a folder inside the project on path:, and says why for a project .venv', async () => {
    await project.write({
      '.venv/pyvenv.cfg': 'home = /usr/bin\n',
      '.venv/bin/python3': exe,
      'package.json': JSON.stringify({ scripts: { test: 'node --test' } }),
      'node_modules/.bin/node': exe,
    });
    const python = detectTaskToolchain(pytest, context([project.path('.venv/bin')]));
    expect(python.path).toBeUndefined();
    expect(python.notes).toEqual([expect.stringMatching(/^\.venv\/ is a venv inside the project/)]);
    const node = detectTaskToolchain(npmTest, context([project.path('node_modules/.bin')]));
    expect(node).toEqual({ env: {}, found: [], notes: [] });
  });

  it('says to make the .venv first for a uv.lock, or a poetry.lock with in-project venvs', async () => {
    await project.write({ 'uv.lock': 'version = 1\n' });
    expect(detectTaskToolchain(pytest, context([])).notes).toEqual([
      expect.stringMatching(/^uv\.lock is here but no \.venv yet: run uv sync/),
    ]);
    await project.cleanup();
    project = await testdir({ 'poetry.lock': '' });
    // poetry keeps its venvs in its cache unless poetry.toml says otherwise
    expect(detectTaskToolchain(pytest, context([])).notes).toEqual([]);
    await project.write({ 'poetry.toml': '[virtualenvs]\nin-project = true\n' });
    expect(detectTaskToolchain(pytest, context([])).notes).toEqual([
      expect.stringMatching(/^poetry\.lock is here but no \.venv yet: run poetry install/),
    ]);
  });

  it('finds the venv poetry keeps in its cache for this project', async () => {
    // poetry's own name for it, computed by python as poetry does (an independent reckoning)
    const reckon = spawnSync(
      'python3',
      [
        '-c',
        'import base64,hashlib,os,sys;print(base64.urlsafe_b64encode(hashlib.sha256(os.path.realpath(sys.argv[1]).encode()).digest()).decode()[:8])',
        project.dir,
      ],
      { encoding: 'utf8' },
    );
    if (reckon.status !== 0) {
      console.log('skipped: no python3 to reckon the poetry venv name with');
      return;
    }
    const venv = `.cache/pypoetry/virtualenvs/shop-app-${reckon.stdout.trim()}-py3.12`;
    await home.write({ [`${venv}/pyvenv.cfg`]: 'home = /usr/bin\n', [`${venv}/bin/python3`]: exe });
    await project.write({ 'pyproject.toml': '[tool.poetry]\nname = "Shop_App"\n' });
    const found = detectTaskToolchain(pytest, context([]));
    expect(found.found).toEqual([
      { program: 'python3', folder: home.path(`${venv}/bin`), toolchain: 'poetry venv' },
    ]);
    expect(found.env).toEqual({ VIRTUAL_ENV: home.path(venv) });
  });

  it('uses the node .nvmrc names when the shell has not loaded nvm', async () => {
    await home.write({ '.nvm/versions/node/v20.11.1/bin/node': exe });
    await project.write({
      '.nvmrc': 'v20\n',
      'package.json': JSON.stringify({ scripts: { test: 'node --test' } }),
    });
    expect(detectTaskToolchain(npmTest, context([])).found).toEqual([
      {
        program: 'node',
        folder: home.path('.nvm/versions/node/v20.11.1/bin'),
        toolchain: 'nvm (.nvmrc)',
      },
    ]);
  });

  it('finds rustup’s cargo, Go under GOROOT and SDKMAN’s gradle with its java', async () => {
    await home.write({
      '.cargo/bin/cargo': exe,
      'sdk/go/bin/go': exe,
      '.sdkman/candidates/gradle/current/bin/gradle': exe,
      '.sdkman/candidates/java/current/bin/java': exe,
    });
    const cargo = detectTaskToolchain(
      { ...pytest, argv: ['cargo', 'test'] },
      context([home.path('.cargo/bin')]),
    );
    expect(cargo.found[0]?.toolchain).toBe('rustup');
    const go = detectTaskToolchain(
      { ...pytest, argv: ['go', 'test'] },
      context([home.path('sdk/go/bin')], { GOROOT: home.path('sdk/go') }),
    );
    expect(go.found[0]?.toolchain).toBe('Go (GOROOT)');
    const gradle = detectTaskToolchain(
      { ...pytest, argv: ['gradle', 'test'] },
      context([
        home.path('.sdkman/candidates/gradle/current/bin'),
        home.path('.sdkman/candidates/java/current/bin'),
      ]),
    );
    expect(gradle.path).toBe(
      [
        home.path('.sdkman/candidates/gradle/current/bin'),
        home.path('.sdkman/candidates/java/current/bin'),
        sys,
      ].join(':'),
    );
    expect(gradle.found.map((item) => item.toolchain)).toEqual(['SDKMAN', 'SDKMAN']);
  });

  it('writes path: and env: into a policy that validates', async () => {
    await home.write({ 'venvs/app/pyvenv.cfg': 'home = /usr/bin\n', 'venvs/app/bin/python3': exe });
    const toolchain = detectTaskToolchain(
      pytest,
      context([home.path('venvs/app/bin')], { VIRTUAL_ENV: home.path('venvs/app') }),
    );
    const text = renderPolicyTemplate({
      provider: 'envfile',
      projectName: 'app',
      tasks: [pytest],
      toolchains: new Map([['test', toolchain]]),
    });
    const { policy, issues } = validatePolicy(text, { filename: project.path('ironrun.yml') });
    expect(issues).toEqual([]);
    expect(policy?.commands[0]).toMatchObject({
      path: `${home.path('venvs/app/bin')}:${sys}`,
      env: { VIRTUAL_ENV: { kind: 'literal', value: home.path('venvs/app') } },
    });
    expect(text).toMatch(/# python3 from venv, where your shell finds them/);
  });
});
