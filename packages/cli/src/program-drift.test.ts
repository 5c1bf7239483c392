import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { driftLine, programDrifts } from './program-drift.js';

const exe = '#!/bin/sh\nexit 0\n';
let home: TestDir;

beforeEach(async () => {
  home = await testdir({
    'sys/node': exe,
    'sys/make': exe,
    '.nvm/versions/node/v22.1.0/bin/node': exe,
    '.pyenv/shims/python3': exe,
    '.pyenv/versions/3.12.1/bin/python3': exe,
    '.pyenv/version': '3.12.1\n',
  });
});

afterEach(async () => {
  await home.cleanup();
});

function drifts(commands: { id: string; argv: string[]; path?: string }[]) {
  const nvm = home.path('.nvm/versions/node/v22.1.0/bin');
  return programDrifts(commands, {
    projectDir: home.path('project'),
    env: { HOME: home.dir, PATH: `${nvm}:${home.path('.pyenv/shims')}:${home.path('sys')}` },
    defaultPath: home.path('sys'),
  });
}

describe('programDrifts', () => {
  it('warns, with the path: to set, when the seal finds another node than the shell', () => {
    const nvm = home.path('.nvm/versions/node/v22.1.0/bin');
    const [drift, ...rest] = drifts([{ id: 'test', argv: ['node', '--test'] }]);
    expect(rest).toEqual([]);
    expect(drift).toEqual({
      command: 'test',
      program: 'node',
      sealed: home.path('sys/node'),
      shell: `${nvm}/node`,
      fix: `set "path: ${nvm}:${home.path('sys')}" on command "test", then a person runs \`ironrun trust\``,
    });
    expect(driftLine(drift as never)).toMatch(
      /^test: node is .+ in the seal, but .+ in your shell; set "path: /,
    );
  });

  it('follows a shim to its version, and says nothing once path: names it', () => {
    const python = home.path('.pyenv/versions/3.12.1/bin');
    expect(drifts([{ id: 'py', argv: ['python3'] }]).map((drift) => drift.shell)).toEqual([
      `${python}/python3`,
    ]);
    expect(drifts([{ id: 'py', argv: ['python3'], path: `${python}:/bin` }])).toEqual([]);
  });

  it('says a program is not found in the seal, and skips programs by path and ones the seal finds alike', () => {
    const found = drifts([
      { id: 'a', argv: ['python3'], path: '/nonexistent' },
      { id: 'b', argv: ['make', 'test'] },
      { id: 'c', argv: ['./run.sh'] },
      { id: 'd', argv: ['nowhere'] },
    ]);
    expect(found.map((drift) => [drift.command, drift.sealed])).toEqual([['a', undefined]]);
    expect(driftLine(found[0] as never)).toMatch(/^a: python3 is not found in the seal, but /);
  });

  it('names the venv python as argv[0] when the shell finds the program in a project .venv', async () => {
    await home.write({
      'project/.venv/pyvenv.cfg': 'home = /usr/bin\n',
      'project/.venv/bin/python3': exe,
      'project/.venv/bin/pytest': exe,
      'sys/python3': exe,
    });
    const found = programDrifts(
      [
        { id: 'test', argv: ['python3', '-m', 'pytest'] },
        { id: 'lint', argv: ['pytest', '-q'] },
        { id: 'other', argv: ['node'] },
      ],
      {
        projectDir: home.path('project'),
        env: { HOME: home.dir, PATH: `${home.path('project/.venv/bin')}:${home.path('sys')}` },
        defaultPath: home.path('sys'),
      },
    );
    expect(found.map((drift) => [drift.command, drift.sealed, drift.shell, drift.fix])).toEqual([
      [
        'test',
        home.path('sys/python3'),
        home.path('project/.venv/bin/python3'),
        'a path: may not name a folder in the project, so set "argv: [.venv/bin/python3, -m, pytest]" on command "test", then a person runs `ironrun trust`',
      ],
      [
        'lint',
        undefined,
        home.path('project/.venv/bin/pytest'),
        'a path: may not name a folder in the project, so set "argv: [.venv/bin/python3, -m, pytest, -q]" on command "lint", then a person runs `ironrun trust`',
      ],
    ]);
  });
});
