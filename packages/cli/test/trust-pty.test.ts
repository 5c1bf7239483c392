import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, runIronrun } from './cli-process.js';

// util-linux `script` runs the CLI on a pseudo-terminal and copies our pipe
// into it, so `ironrun trust` sees a terminal on stdin, as with a person.
const scriptBin = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function onPty(
  args: string[],
  options: { cwd: string; env: Record<string, string>; answer: string },
) {
  const command = [process.execPath, cliPath, ...args].map(shellQuote).join(' ');
  return new Promise<{ code: number | null; output: string; raw: string }>((resolve, reject) => {
    const child = spawn(scriptBin as string, ['-qec', command, '/dev/null'], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let raw = '';
    let answered = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      raw += chunk.toString('utf8');
      // Answer only once the question is on the terminal, as a person would.
      if (!answered && output.includes('[y/N]')) {
        answered = true;
        child.stdin.write(options.answer);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, raw, output: output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') }),
    );
  });
}

let project: TestDir;
let home: TestDir;
let env: Record<string, string>;

beforeEach(async () => {
  project = await testdir({
    'ironrun.yml':
      'version: 1\nprovider: envfile\ncommands:\n  - id: hello\n    argv: [./hello.sh]\n',
    'hello.sh': '#!/bin/sh\necho hello\n',
  });
  // The trust store must live outside the project (the agent can write there).
  home = await testdir();
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

describe.skipIf(scriptBin === undefined)('ironrun trust on a terminal', () => {
  it('shows what it pins, asks, and trusts on "y"', async () => {
    const run = await onPty(['trust'], { cwd: project.dir, env, answer: 'y\r' });
    expect(run.output).toMatch(/Files pinned/);
    expect(run.output).toMatch(/hello\.sh/);
    expect(run.output).toMatch(/Trust this policy\?.*\[y\/N\]/);
    expect(run.output).toMatch(/Trusted\./);
    expect(run.code).toBe(0);
    expect((await runIronrun(['check'], { cwd: project.dir, env })).code).toBe(0);
  });

  it('colours on a terminal, and not with NO_COLOR', async () => {
    const coloured = await onPty(['trust'], { cwd: project.dir, env, answer: 'n\r' });
    expect(coloured.raw).toMatch(/\x1b\[1m/);
    const plain = await onPty(['trust'], {
      cwd: project.dir,
      env: { ...env, NO_COLOR: '1' },
      answer: 'n\r',
    });
    expect(plain.output).toMatch(/Trust this policy\?/);
    expect(plain.raw).not.toMatch(/\x1b\[[0-9;]*m/);
  });

  it('does not trust on "n" and exits 6', async () => {
    const run = await onPty(['trust'], { cwd: project.dir, env, answer: 'n\r' });
    expect(run.code).toBe(6);
    expect(run.output).toMatch(/declined/);
    expect((await runIronrun(['check'], { cwd: project.dir, env })).code).toBe(3);
  });

  it('on a second trust after an edit, lists what changed', async () => {
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    await project.write({ 'hello.sh': '#!/bin/sh\necho changed\n' });
    const run = await onPty(['trust'], { cwd: project.dir, env, answer: 'y\r' });
    expect(run.output).toMatch(/Changed since it was last trusted:\s+modified\s+hello\.sh/);
    expect(run.code).toBe(0);
  });
});

describe.skipIf(scriptBin === undefined)(
  'ironrun run of a confirm: true command on a terminal',
  () => {
    it('asks first, runs on "y" and not on "n"', async () => {
      await project.write({
        'ironrun.yml':
          'version: 1\nprovider: envfile\ncommands:\n  - id: hello\n    description: says hello\n    argv: [./hello.sh]\n    confirm: true\n',
      });
      expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
      const yes = await onPty(['run', 'hello'], { cwd: project.dir, env, answer: 'y\r' });
      expect(yes.output).toMatch(
        /"hello" needs your approval[\s\S]*says hello[\s\S]*Run it\? \[y\/N\]/,
      );
      expect(yes.output).toMatch(/^hello\r?$/m);
      expect(yes.code).toBe(0);
      const no = await onPty(['run', 'hello'], { cwd: project.dir, env, answer: 'n\r' });
      expect(no.output).not.toMatch(/^hello\r?$/m);
      expect(no.code).toBe(6);
    });
  },
);
