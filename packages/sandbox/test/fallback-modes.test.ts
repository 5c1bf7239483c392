import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { probeIsolation, type SealedResult } from '../src/index.js';
import type { IsolationSupport } from '../src/probe-isolation.js';
import { type LaunchOverrides, spawnSealedWith } from '../src/spawn-sealed.js';
import { fixturesDir, nodeFixture } from './sealed-run.js';

const linux = process.platform === 'linux';
const isolation = await probeIsolation();

/** No namespaces at all: a process group only, as on macOS or where user namespaces are disabled. */
const groupOnly: IsolationSupport = {
  report: {
    platform: process.platform,
    unshare: null,
    userNamespace: false,
    pidNamespace: false,
    noNetwork: false,
    sandboxExec: null,
    notes: [],
  },
  userFlags: [],
};

async function run(
  argv: string[],
  overrides: LaunchOverrides,
  ttlMs = 20_000,
): Promise<{ result: SealedResult; stdout: string }> {
  const child = await spawnSealedWith(
    { argv, cwd: fixturesDir, ttlMs, killGraceMs: 300 },
    overrides,
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  return { result: await child.result, stdout };
}

async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

describe('spawnSealed without a PID namespace (process group only)', () => {
  it('reports exit code 3 and a SIGSEGV faithfully', async () => {
    expect(
      (await run(nodeFixture('exit-with.mjs', '3'), { support: groupOnly })).result,
    ).toMatchObject({ exitCode: 3, signal: null });
    expect(
      (await run(nodeFixture('exit-with.mjs', 'SIGSEGV'), { support: groupOnly })).result,
    ).toMatchObject({ exitCode: null, signal: 'SIGSEGV' });
  });

  it('TTL: kills a child that ignores SIGTERM after the grace period', async () => {
    const { result } = await run(
      nodeFixture('sleep-forever.mjs', 'ignore-term'),
      { support: groupOnly },
      // Long enough for Node to install the fixture's SIGTERM handler on a loaded machine.
      2000,
    );
    expect(result).toMatchObject({ signal: 'SIGKILL', timedOut: true });
  });

  it.skipIf(!linux)('known limit: a grandchild that calls setsid() outlives the run', async () => {
    const marker = `ironrun-group-only-marker-${process.pid}-${Date.now()}`;
    const program = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ${JSON.stringify(marker)}], { detached: true, stdio: 'ignore' });
      c.on('spawn', () => { process.stdout.write('started'); process.exit(0); });`;
    const { stdout } = await run([process.execPath, '-e', program], { support: groupOnly });
    expect(stdout).toBe('started');
    const survivors = await processesWithMarker(marker);
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
    // This is why the PID namespace matters: see the same attack pass under it in spawn-sealed.test.ts.
    expect(survivors.length).toBe(1);
  });
});

describe.skipIf(!linux || !isolation.pidNamespace)(
  'spawnSealed with the program as PID 1 (internal launch without the init)',
  () => {
    it('reports exit code 3', async () => {
      expect(
        (await run(nodeFixture('exit-with.mjs', '3'), { useInit: false })).result,
      ).toMatchObject({ exitCode: 3, signal: null });
    });

    it('known limit: a PID 1 program without a SIGTERM handler is stopped by SIGKILL after the grace period', async () => {
      const { result } = await run(nodeFixture('sleep-forever.mjs'), { useInit: false }, 300);
      expect(result).toMatchObject({ signal: 'SIGKILL', timedOut: true });
    });
  },
);
