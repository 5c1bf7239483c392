import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, runIronrun } from './cli-process.js';

// util-linux `script` runs the CLI on a pseudo-terminal and copies our pipe
// into it, so `ironrun trust` sees a terminal on stdin, as with a person.
const scriptBin = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
const tmuxBin = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((path) => existsSync(path));

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function onPty(
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    answer: string;
    /** Runs once the question is shown, before the answer is typed. */
    beforeAnswer?: () => Promise<void>;
  },
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
        void (options.beforeAnswer?.() ?? Promise.resolve()).then(() =>
          child.stdin.write(options.answer),
        );
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

describe.skipIf(scriptBin === undefined)('ironrun trust while the agent edits', () => {
  it('does not trust a pinned script edited while the person reads the review', async () => {
    const run = await onPty(['trust'], {
      cwd: project.dir,
      env,
      answer: 'y\r',
      beforeAnswer: () => project.write({ 'hello.sh': '#!/bin/sh\necho stolen\n' }),
    });
    expect(run.output).toMatch(/changed while you were reviewing/);
    expect(run.code).toBe(3);
    expect((await runIronrun(['check'], { cwd: project.dir, env })).code).toBe(3);
  });

  // The attack: the program is found on the second path: folder; while the
  // person reads, the agent plants its own in the first. Trust then recorded
  // the planted program as what was reviewed, and run executed it.
  it('does not trust a program planted ahead on the path while the person reads', async () => {
    const first = join(home.dir, 'first-bin');
    const second = join(home.dir, 'second-bin');
    const marker = join(home.dir, 'planted-ran');
    await mkdir(first, { recursive: true });
    await mkdir(second, { recursive: true });
    await writeFile(join(second, 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
    await project.write({
      'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: t\n    argv: [tool]\n    path: ${first}:${second}\n`,
    });
    const run = await onPty(['trust'], {
      cwd: project.dir,
      env,
      answer: 'y\r',
      beforeAnswer: () =>
        writeFile(join(first, 'tool'), `#!/bin/sh\ntouch ${shellQuote(marker)}\n`, {
          mode: 0o755,
        }),
    });
    expect(run.output).toMatch(/changed while you were reviewing/);
    expect(run.code).toBe(3);
    const after = await runIronrun(['run', 't'], { cwd: project.dir, env });
    expect(after.code).toBe(3);
    expect(existsSync(marker)).toBe(false);
  });
});

describe.skipIf(scriptBin === undefined)(
  'ironrun run of a confirm: true command on a terminal',
  () => {
    // The attack: the agent cannot answer a prompt on a pipe, so it runs ironrun
    // under `script`, which gives it a pseudo-terminal, and types "y" into it.
    it('an agent driving a pseudo-terminal with script cannot approve it', async () => {
      const marker = join(home.dir, 'deployed');
      await project.write({
        'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: hello\n    description: says hello\n    argv: [./hello.sh]\n    confirm: true\n`,
        'hello.sh': `#!/bin/sh\necho hello\ntouch ${shellQuote(marker)}\n`,
      });
      expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
      const run = await onPty(['run', 'hello'], { cwd: project.dir, env, answer: 'y\r' });
      expect(existsSync(marker)).toBe(false);
      expect(run.output).not.toMatch(/^hello\r?$/m);
      expect(run.output).not.toMatch(/\[y\/N\]/);
      expect(run.output).toMatch(/cannot tell a person from an agent/);
      expect(run.code).toBe(6);
    });
  },
);

describe.skipIf(tmuxBin === undefined || scriptBin === undefined)(
  'ironrun run of a confirm: true command in tmux',
  () => {
    it('an agent typing "y" with tmux send-keys cannot approve it', async () => {
      const marker = join(home.dir, 'deployed');
      const done = join(home.dir, 'exit-code');
      await project.write({
        'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: hello\n    argv: [./hello.sh]\n    confirm: true\n`,
        'hello.sh': `#!/bin/sh\ntouch ${shellQuote(marker)}\n`,
      });
      expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
      const socket = join(home.dir, 'tmux.sock');
      const tmux = (...args: string[]) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(tmuxBin as string, ['-S', socket, ...args], {
            cwd: project.dir,
            // tmux runs the line with $SHELL (else the user's login shell, nologin for nobody).
            env: {
              PATH: process.env.PATH ?? '/usr/bin:/bin',
              TERM: 'xterm',
              SHELL: '/bin/sh',
              ...env,
            },
            stdio: 'ignore',
          });
          child.on('close', resolve);
        });
      const line = `${[process.execPath, cliPath, 'run', 'hello'].map(shellQuote).join(' ')}; echo $? > ${shellQuote(done)}; sleep 60`;
      try {
        expect(await tmux('new-session', '-d', '-x', '120', '-y', '30', line)).toBe(0);
        // Keep typing "y" until ironrun has exited, as an agent would.
        for (let tries = 0; tries < 600 && !existsSync(done); tries++) {
          await tmux('send-keys', 'y', 'Enter');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(existsSync(done), 'ironrun exited inside tmux').toBe(true);
        expect((await readFile(done, 'utf8')).trim()).toBe('6');
        expect(existsSync(marker)).toBe(false);
      } finally {
        await tmux('kill-server');
      }
    }, 60_000);
  },
);
