import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSealedSpawner,
  isSandboxError,
  probeIsolation,
  type SpawnSealedOptions,
} from '../src/index.js';
import { nativeInitPath } from '../src/native-init.js';
import { drainSealed, fixture, fixturesDir, nodeFixture } from './sealed-run.js';

/**
 * createSealedSpawner: runs forked by the native init's server mode instead
 * of by this process, with the same result and isolation, attacked from
 * inside the seal (the spawner's channel, its listener, its death).
 */
const isolation = await probeIsolation();
const native = nativeInitPath();
const why =
  process.platform !== 'linux' || !isolation.pidNamespace
    ? 'needs Linux with user and PID namespaces'
    : native === null
      ? 'needs the native init (@ironrun/sandbox-linux-<arch> built)'
      : undefined;
if (why !== undefined) console.log(`sealed-spawner: skipped: ${why}`);

const spawner = createSealedSpawner();
afterAll(() => spawner.close());

function run(options: Partial<SpawnSealedOptions> & { argv: readonly string[] }) {
  return spawner
    .spawn({ cwd: fixturesDir, ttlMs: 20_000, killGraceMs: 500, ...options })
    .then(drainSealed);
}

/** The parent pid of `pid` and that parent's command line. */
function parentOf(pid: number): { ppid: number; cmdline: string } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return { ppid, cmdline: readFileSync(`/proc/${ppid}/cmdline`, 'utf8').replaceAll('\0', ' ') };
}

/** Whether `pid` is a live process (not gone, not a zombie waiting for its reaper). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe.skipIf(why !== undefined)('createSealedSpawner', () => {
  it('runs a program with the output, result and isolation spawnSealed gives', async () => {
    const { stdout, stderr, result } = await run({
      argv: ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'],
    });
    expect({ stdout, stderr }).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    expect(result.isolation).toMatchObject({ kind: 'namespaces', init: 'native', seccomp: true });
  });

  it('forks the run from the spawner, not from this process, and kill() ends it', async () => {
    const child = await spawner.spawn({
      argv: nodeFixture('sleep-forever.mjs'),
      cwd: fixturesDir,
      ttlMs: 20_000,
    });
    child.stderr.resume();
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.resume();
    expect(parentOf(child.pid).cmdline).toContain('--spawner');
    child.kill();
    expect(await child.result).toMatchObject({ canceled: true, timedOut: false });
  });

  it('keeps the output of concurrent runs apart', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        run({ argv: ['/bin/sh', '-c', `for n in 1 2 3 4 5 6 7 8 9 10; do echo run-${i}; done`] }),
      ),
    );
    runs.forEach((one, i) => {
      expect(one.stdout).toBe(`run-${i}\n`.repeat(10));
      expect(one.result.exitCode).toBe(0);
    });
  });

  it('attack: a run finds no descriptor but its own 0-2 and cannot write a request to the spawner', async () => {
    // Lists its descriptors, then writes a forged request (a run of its own choosing) to 3..63.
    const script = [
      // Checked again once the glob is done: its own directory descriptor is then closed.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
      'for f in /proc/$$/fd/*; do [ -e "$f" ] && echo "fd ${f##*/}"; done',
      'for n in $(seq 3 63); do (printf "R 9 %032d --\\n" 0 >&$n) 2>/dev/null && echo "wrote $n"; done',
      'exit 0',
    ].join('\n');
    // bash: its redirections take descriptors above 9 (dash's stop at 9).
    const attacker = await run({ argv: ['/bin/bash', '-c', script], allow: ['/usr/bin/seq'] });
    const lines = attacker.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('wrote'))).toEqual([]);
    expect(lines.map((line) => line.split(' ')[1])).toEqual(['0', '1', '2']);
    // The spawner still serves runs, and only the ones asked for.
    expect((await run({ argv: ['/bin/true'] })).result.exitCode).toBe(0);
  });

  it("attack: connections to the spawner's listener without the run's token reach no run", async () => {
    const victim = await spawner.spawn({
      argv: ['/bin/sh', '-c', 'echo victim-start; sleep 1; echo victim-end; exit 5'],
      cwd: fixturesDir,
      ttlMs: 20_000,
      allow: ['/usr/bin/sleep', '/bin/sleep'],
    });
    const victimDone = drainSealed(victim);
    const attacker = await run({ argv: nodeFixture('dial-spawner.mjs'), allow: [] });
    const seen = JSON.parse(attacker.stdout) as { sockets: number; outcomes: string[] };
    // Listed in /tmp. This spawner's own folder is covered inside its runs (the attack
    // below); another ironrun process's spawner, where one runs, is reachable, and the
    // token keeps it shut (spawner-token.test.ts).
    expect(seen.sockets).toBeGreaterThan(0);
    expect(attacker.result.exitCode).toBe(7);
    expect(attacker.stderr).toBe('');
    const { stdout, result } = await victimDone;
    expect(stdout).toBe('victim-start\nvictim-end\n');
    expect(result.exitCode).toBe(5);
  });

  it("attack: a run told the path of the spawner's listener cannot reach it, with or without the network", async () => {
    // The listener's path, as the spawner was started with it (`--spawner <path>`).
    const holder = await spawner.spawn({
      argv: nodeFixture('sleep-forever.mjs'),
      cwd: fixturesDir,
      ttlMs: 20_000,
    });
    holder.stderr.resume();
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    holder.stdout.resume();
    const { cmdline } = parentOf(holder.pid);
    holder.kill();
    await holder.result;
    const listener = cmdline.trim().split(' ').at(-1) ?? '';
    expect(listener).toMatch(/^\/tmp\/ironrun-spawner-[^/]+\/s$/);
    // Outside the seal (the server's side) it is there.
    expect(existsSync(listener)).toBe(true);
    for (const noNetwork of [false, true]) {
      const attacker = await run({
        argv: nodeFixture('connect-listener.mjs', listener),
        noNetwork,
      });
      expect(attacker.stderr).toBe('');
      const seen = JSON.parse(attacker.stdout) as { seen: string; outcomes: string[] };
      // Inside, its folder is an empty, unreadable file system: no socket, no connection.
      expect(seen).toEqual({ seen: 'EACCES', outcomes: ['EACCES'] });
    }
    // The spawner still serves runs.
    expect((await run({ argv: ['/bin/true'] })).result.exitCode).toBe(0);
  });

  it("forged report: a program cannot take the init's channel through the spawner either", async () => {
    const perl = '/usr/bin/perl';
    if (!existsSync(perl)) return;
    const forged = await run({
      argv: [perl, fixture('forge-report.pl'), '{"type":"exit","code":0,"signal":null}'],
    });
    expect(forged.stdout).toBe('no channel to steal\n');
    expect(forged.result.exitCode).toBe(3);
  });

  it('attack: a spawner killed mid-run fails that run, and later runs are spawned directly with the same isolation', async () => {
    const own = createSealedSpawner();
    try {
      const child = await own.spawn({
        argv: nodeFixture('sleep-forever.mjs', 'ignore-term'),
        cwd: fixturesDir,
        ttlMs: 60_000,
      });
      const { ppid, cmdline } = parentOf(child.pid);
      expect(cmdline).toContain('--spawner');
      child.stdout.resume();
      child.stderr.resume();
      process.kill(ppid, 'SIGKILL');
      const error = await child.result.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isSandboxError(error) && error.code).toBe('SPAWN_FAILED');
      expect((error as Error).message).toContain('spawner');
      expect(alive(child.pid)).toBe(false);
      const next = await own.spawn({ argv: ['/bin/true'], cwd: fixturesDir, ttlMs: 20_000 });
      expect(parentOf(next.pid).ppid).toBe(process.pid);
      const { result } = await drainSealed(next);
      expect(result.exitCode).toBe(0);
      expect(result.isolation).toMatchObject({ kind: 'namespaces', init: 'native', seccomp: true });
    } finally {
      await own.close();
    }
  });

  it('ends a run at its TTL, detached grandchildren included', async () => {
    const marker = `ironrun-spawner-ttl-${process.pid}-${Date.now()}`;
    const { result } = await run({
      argv: nodeFixture('detach-grandchild.mjs', marker),
      ttlMs: 1_500,
    });
    expect(result.timedOut).toBe(true);
    const left = (await import('node:child_process'))
      .spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' })
      .stdout.trim();
    expect(left).toBe('');
  });

  it('after close(), spawns directly', async () => {
    // A run that lives until it is stopped, so its parent is read while it exists (a
    // /bin/true could be gone, and its /proc entry with it, before the read).
    const lasting = {
      argv: ['/bin/sleep', '30'],
      cwd: fixturesDir,
      ttlMs: 20_000,
      killGraceMs: 200,
    };
    const own = createSealedSpawner();
    const first = await own.spawn(lasting);
    expect(parentOf(first.pid).cmdline).toContain('--spawner');
    first.kill();
    await drainSealed(first);
    await own.close();
    const second = await own.spawn(lasting);
    expect(parentOf(second.pid).ppid).toBe(process.pid);
    second.kill();
    await drainSealed(second);
  });
});
