import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown } from 'node:fs/promises';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nobody, nobodyMakesNamespaces, setpriv } from './as-nobody.js';
import { cliPath, runProcess } from './cli-process.js';

// The host's /dev/pts holds every terminal of the machine. A terminal of the person's other
// sessions is theirs (same uid), so an agent that sees the host's /dev/pts can write into it
// (text on their screen) or read from it (what they type, before their shell does).
// ironrun's own set-up mounts a new devpts instance over /dev/pts, and bubblewrap gets a /dev
// of its own (a new devpts, the other host entries bound): those terminals do not exist inside. Each case is also run outside the confinement, where it succeeds.

const node = process.execPath;
const script = '/usr/bin/script';

function works(file: string, args: readonly string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

const linux = process.platform === 'linux';
const haveScript = linux && works(script, ['-qfec', 'true', '/dev/null']);
const kinds = (['unshare', 'bubblewrap'] as const).filter(
  (kind) =>
    linux && works(node, [cliPath, 'agent', '--confinement', kind, '--dry-run', '--', 'true']),
);
const confinable = kinds.length > 0;
const root = process.getuid?.() === 0;
const nobodyUserns = root && nobodyMakesNamespaces();
if (!haveScript) console.log('skipping the devpts tests: util-linux script is missing');
for (const kind of ['unshare', 'bubblewrap'] as const) {
  if (linux && !kinds.includes(kind))
    console.log(`skipping the devpts tests under ${kind}: it fails here`);
}
if (confinable && !nobodyUserns) {
  console.log(
    'skipping the uid 65534 devpts case: not root, or no unprivileged user namespaces here',
  );
}

/** Runs as that user: `setpriv` for uid 65534, else as the test itself. */
function as(user: 'self' | 'nobody', argv: readonly string[]): [string, string[]] {
  return user === 'nobody'
    ? [setpriv, [...nobody, ...argv]]
    : [argv[0] as string, argv.slice(1) as string[]];
}

const dirs: TestDir[] = [];
const victims: ChildProcess[] = [];

afterEach(async () => {
  for (const victim of victims.splice(0)) victim.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await dir.cleanup();
});

/**
 * Another terminal session of the same user, started outside: `script` gives `sleep` a new
 * pty. Resolves with that pty's path and a function returning what its screen showed so far.
 */
async function victimTerminal(
  user: 'self' | 'nobody',
): Promise<{ pts: string; screen: () => string }> {
  const [file, args] = as(user, [script, '-qfec', 'tty; exec sleep 60', '/dev/null']);
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  victims.push(child);
  let screen = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    screen += text;
  });
  const pts = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the victim terminal never started')), 10_000);
    const check = setInterval(() => {
      const found = /\/dev\/pts\/\d+/.exec(screen)?.[0];
      if (found !== undefined) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(found);
      }
    }, 20);
  });
  return { pts, screen: () => screen };
}

/** A home and an empty project folder owned by `user`. */
async function folders(user: 'self' | 'nobody'): Promise<{ home: TestDir; project: TestDir }> {
  const home = await testdir({});
  const project = await testdir({});
  dirs.push(home, project);
  if (user === 'nobody') {
    await chown(home.dir, 65534, 65534);
    await chown(project.dir, 65534, 65534);
  }
  return { home, project };
}

/** The attack, as a shell line: write a marker into `pts`, then try to open it for reading. */
function attack(pts: string, marker: string): string {
  return [
    `if echo '${marker}' > '${pts}'; then echo wrote; else echo write-failed; fi`,
    `if (: < '${pts}'); then echo opened-for-reading; else echo read-failed; fi`,
    'ls /dev/pts',
  ].join('; ');
}

describe.skipIf(!haveScript || !confinable)('ironrun agent: the host’s /dev/pts', () => {
  for (const [kind, user] of kinds.flatMap((kind) =>
    (['self', 'nobody'] as const).map((user) => [kind, user] as const),
  )) {
    it.skipIf(user === 'nobody' && !nobodyUserns)(
      `${kind}${user === 'nobody' ? ', as uid 65534' : ''}: another terminal of the same user can be written to and read outside, not from the confined agent`,
      async () => {
        const { home, project } = await folders(user);
        const victim = await victimTerminal(user);
        const env = {
          HOME: home.dir,
          XDG_STATE_HOME: home.path('state'),
          PATH: '/usr/bin:/bin',
        };
        // The control: the same shell line outside reaches the other terminal.
        const outsideMarker = `outside-${randomBytes(4).toString('hex')}`;
        const [outFile, outArgs] = as(user, ['/bin/sh', '-c', attack(victim.pts, outsideMarker)]);
        const outside = await runProcess(outFile, outArgs, { cwd: project.dir, env });
        expect(outside.stdout).toMatch(/^wrote$/m);
        expect(outside.stdout).toMatch(/^opened-for-reading$/m);
        await expect.poll(victim.screen, { timeout: 5000 }).toContain(outsideMarker);

        const insideMarker = `inside-${randomBytes(4).toString('hex')}`;
        const [file, args] = as(user, [
          node,
          cliPath,
          'agent',
          '--confinement',
          kind,
          '--',
          '/bin/sh',
          '-c',
          attack(victim.pts, insideMarker),
        ]);
        const inside = await runProcess(file, args, { cwd: project.dir, env });
        expect(inside.stdout, inside.stderr).toMatch(/^write-failed$/m);
        expect(inside.stdout).toMatch(/^read-failed$/m);
        // Only the new instance's ptmx: no terminal of the host is listed.
        expect(inside.stdout).toMatch(/^ptmx\n?$/m);
        expect(inside.stdout).not.toMatch(/^\d+$/m);
        // Give a late write time to show, then check it never reached the other terminal.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(victim.screen()).not.toContain(insideMarker);
      },
    );
  }

  for (const kind of kinds) {
    it(`${kind}: the agent’s own terminal still works inside: tty names it, stty reads its size, and a pty of its own opens`, async () => {
      const { home, project } = await folders('self');
      const inner = [
        'tty',
        'stty size',
        // A terminal multiplexer's case: a new pty pair from the new instance's ptmx.
        `${script} -qfec 'tty; echo inner-ok' /dev/null`,
      ].join('; ');
      const command = [
        'stty rows 42 cols 117',
        `exec '${node}' '${cliPath}' agent --confinement ${kind} -- /bin/sh -c "${inner}"`,
      ].join('; ');
      const run = await runProcess(script, ['-qfec', command, '/dev/null'], {
        cwd: project.dir,
        env: { HOME: home.dir, XDG_STATE_HOME: home.path('state'), PATH: '/usr/bin:/bin' },
      });
      const lines = run.stdout.split(/\r?\n/);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      // Its terminal is the outer pty, bound over /dev/console so ttyname finds a name for it.
      expect(lines[0]).toBe('/dev/console');
      expect(lines[1]).toBe('42 117');
      // The inner pty comes from the new instance (the inner script may echo a NUL first).
      expect(lines[2]).toMatch(/\/dev\/pts\/\d+$/);
      expect(lines[3]).toBe('inner-ok');
    });
  }
});
