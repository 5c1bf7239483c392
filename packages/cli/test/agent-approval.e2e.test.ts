import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, runIronrun } from './cli-process.js';

// Approval of `confirm: true` commands through the broker of `ironrun agent`: the broker asks on
// the person's terminal with the whole confinement stopped, for a code shown only on the screen.
// The person here is the test, typing into the terminal `script` gives ironrun; the agent is a
// hostile script (fixtures/approval-attacker.mjs) that tries to approve its own request.

type Kind = 'bubblewrap' | 'unshare';
const node = process.execPath;
const attacker = fileURLToPath(new URL('./fixtures/approval-attacker.mjs', import.meta.url));
const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;

function available(kind: Kind): { ok: boolean; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'Linux only' };
  for (const tool of ['/usr/bin/script', '/usr/bin/perl']) {
    if (!existsSync(tool)) return { ok: false, why: `${tool} is missing` };
  }
  const tiocsti = spawnSync('/sbin/sysctl', ['-n', 'dev.tty.legacy_tiocsti'], {
    encoding: 'utf8',
  });
  if (tiocsti.status === 0 && tiocsti.stdout.trim() === '0') {
    // The attack needs TIOCSTI; without it the kernel already refuses it.
    return { ok: false, why: 'TIOCSTI is disabled here (dev.tty.legacy_tiocsti=0)' };
  }
  const run = spawnSync(
    node,
    [cliPath, 'agent', '--confinement', kind, '--dry-run', '--', 'true'],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' },
    },
  );
  return { ok: run.status === 0, why: run.stderr.trim() };
}
const kinds = (['bubblewrap', 'unshare'] as const).map((kind) => ({ kind, ...available(kind) }));
for (const { kind, ok, why } of kinds) {
  if (!ok) console.log(`skipping the approval tests with ${kind}: ${why}`);
}

const dirs: TestDir[] = [];
afterAll(async () => {
  for (const dir of dirs) await dir.cleanup();
});

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

describe.each(kinds)(
  'ironrun agent --confinement $kind, a confirm: true command',
  ({ kind, ok }) => {
    it.skipIf(!ok)(
      'runs only when the person types the code the paused broker shows; the agent’s TIOCSTI, forged frames and replays approve nothing',
      async () => {
        const home = await testdir({
          'cfg/secrets.env': { content: `API_TOKEN=${SECRET}\n`, mode: 0o600 },
        });
        const project = await testdir({
          'ironrun.yml': [
            'version: 1',
            'provider: envfile',
            'commands:',
            '  - id: danger',
            '    description: deploys',
            '    argv: [./print.sh]',
            '    confirm: true',
            '    env: { API_TOKEN: envfile://API_TOKEN }',
            '',
          ].join('\n'),
          'print.sh': {
            content:
              '#!/bin/sh\necho "ran with $API_TOKEN" >> ran.log\necho "token is $API_TOKEN"\n',
            mode: 0o755,
          },
        });
        dirs.push(home, project);
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home.dir,
          IRONRUN_CONFIG_DIR: home.path('cfg'),
          XDG_STATE_HOME: home.path('state'),
          TERM: 'dumb',
          APPROVAL_CONFIG: JSON.stringify({
            cliPath,
            projectDir: project.dir,
            policyPath: project.path('ironrun.yml'),
            reportPath: project.path('report.json'),
            stopFile: project.path('stop'),
          }),
        };
        expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);

        const command = [node, cliPath, 'agent', '--confinement', kind, '--', node, attacker]
          .map(shellQuote)
          .join(' ');
        const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], {
          cwd: project.dir,
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        // The person: declines the first question, types the code at the second, declines the third.
        const answers = ['decline', 'approve', 'decline'];
        let screen = '';
        let asked = 0;
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          screen += text;
          const codes = [...screen.matchAll(/To approve, type ([A-Z]{5}) and Enter/g)];
          while (asked < codes.length) {
            const code = codes[asked]?.[1] ?? '';
            child.stdin.write(answers[asked] === 'approve' ? `${code}\r` : '\x1b');
            asked++;
          }
        });
        child.stderr.resume();
        const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
        expect(code).toBe(0);
        const report = JSON.parse(readFileSync(project.path('report.json'), 'utf8')) as {
          inside: boolean;
          injected: number;
          runs: { status: number; stdout: string; stderr: string }[];
          frames: Record<string, { closed: boolean; received: string }>;
        };
        expect(report.inside).toBe(true);
        // The attack was live: TIOCSTI pushed keystrokes into the terminal the whole time it ran.
        expect(report.injected).toBeGreaterThan(0);
        // Three questions: the first run, the second run and the replayed request; no other.
        expect(asked).toBe(3);
        // Frames that would approve are not in the protocol: an error, the connection closed, no question.
        for (const name of ['approveFirst', 'approveField', 'confirmField']) {
          expect(report.frames[name]?.closed, name).toBe(true);
          expect(report.frames[name]?.received, name).toMatch(/BAD_MESSAGE/);
        }
        const [declined, approved] = report.runs;
        expect(declined?.status).not.toBe(0);
        expect(declined?.stderr).toMatch(/not approved/);
        expect(approved?.status).toBe(0);
        expect(approved?.stdout).toBe('token is [REDACTED]\n');
        // The replay on a fresh connection was asked again, declined, and did not run.
        expect(report.frames.replay?.received).toMatch(/CONFIRM_DECLINED/);
        // It ran once: the approved run.
        expect(
          readFileSync(project.path('ran.log'), 'utf8').split('\n').filter(Boolean),
        ).toHaveLength(1);
        expect(JSON.stringify(report).includes(SECRET)).toBe(false);
        expect(screen.includes(SECRET)).toBe(false);
      },
      120_000,
    );

    it.skipIf(!ok)(
      'keys the agent pushed into the terminal with TIOCSTI are dropped when it ends, so the shell after it never reads them',
      async () => {
        const project = await testdir({ 'README.md': 'x\n' });
        dirs.push(project);
        const inject =
          'open(my $t, "+<", "/dev/tty") or exit 2; my $n = 0;' +
          'for my $k (split //, "echo PWNED\r") { my $c = $k; $n++ if ioctl($t, 0x5412, $c) } exit($n > 0 ? 0 : 3)';
        const agent = [
          node,
          cliPath,
          'agent',
          '--confinement',
          kind,
          '--',
          '/usr/bin/perl',
          '-e',
          inject,
        ]
          .map(shellQuote)
          .join(' ');
        const shell = `${agent}; echo "agent exit $?"; IFS= read -r line; echo "next read: $line"`;
        const child = spawn(
          '/usr/bin/script',
          ['-qfec', `/bin/sh -c ${shellQuote(shell)}`, '/dev/null'],
          {
            cwd: project.dir,
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: project.dir, TERM: 'dumb' },
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        );
        let screen = '';
        let typed = false;
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          screen += text;
          // The person types a line only once ironrun agent has exited.
          if (!typed && /agent exit \d+/.test(screen)) {
            typed = true;
            child.stdin.write('clean\r');
          }
        });
        child.stderr.resume();
        await new Promise((resolve) => child.once('close', resolve));
        // The injection worked (the agent exits 0 only if TIOCSTI took its keys) ...
        expect(screen).toMatch(/agent exit 0/);
        // ... and the shell's next read is what the person typed, not what the agent pushed.
        expect(screen).toMatch(/next read: clean/);
        expect(screen).not.toMatch(/next read: echo PWNED/);
      },
      60_000,
    );
  },
);
