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
});
