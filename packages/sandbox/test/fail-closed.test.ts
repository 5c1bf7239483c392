import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeIsolation } from '../src/index.js';
import { fixture } from './sealed-run.js';

const isolation = await probeIsolation();
const built = existsSync(new URL('../dist/index.js', import.meta.url));
const canStarve =
  process.platform === 'linux' && isolation.unshare !== null && isolation.pidNamespace;
if (!canStarve || !built)
  console.log('fail-closed: skipped: needs Linux with user namespaces and a built dist/');

const scratch = mkdtempSync(join(tmpdir(), 'ironrun-fail-closed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Starts the caller (a Node process that calls spawnSealed) where no user or
 * PID namespace can be made, as an agent could: inside a user namespace of
 * its own whose user.max_user_namespaces and user.max_pid_namespaces are 0.
 * Nothing in the product is switched off; the kernel refuses.
 */
function spawnWithoutNamespaces(mode: 'strict' | 'best-effort', dir: string) {
  const starve =
    'echo 0 > /proc/sys/user/max_user_namespaces && echo 0 > /proc/sys/user/max_pid_namespaces && exec "$0" "$@"';
  const run = spawnSync(
    isolation.unshare!,
    [
      '--user',
      '--map-root-user',
      '/bin/sh',
      '-c',
      starve,
      process.execPath,
      fixture('spawn-under-test.mjs'),
      dir,
      mode,
    ],
    { encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as {
    ran: boolean;
    code?: string;
    message?: string;
    isolation?: { kind: string; bestEffort: boolean };
    spawned: string[];
  };
}

/**
 * With the native init installed there is no probe before the first launch: the init is
 * launched at once, fails to make the namespaces, and only then does the probe (`unshare`)
 * run and the launch get planned again. Without it, the probe runs first.
 */
function expectLaunchFirst(spawned: readonly string[]): void {
  if (isolation.nativeInit) {
    expect(spawned[0], 'the native init is launched before any probe').toBe('ironrun-init');
    expect(spawned.slice(1), 'the probe runs after the failed launch').toContain('unshare');
    expect(spawned.filter((name) => name === 'ironrun-init')).toHaveLength(1);
  } else expect(spawned[0]).toBe('unshare');
}

describe.skipIf(!canStarve || !built)('spawnSealed: fail closed', () => {
  it('silent downgrade: where no PID namespace can be made, the command is refused with the reason and the fix', () => {
    const dir = mkdtempSync(join(scratch, 'strict-'));
    const outcome = spawnWithoutNamespaces('strict', dir);
    expect(outcome.ran).toBe(false);
    expect(outcome.code).toBe('ISOLATION_UNAVAILABLE');
    expect(outcome.message).toContain('PID namespace');
    expect(outcome.message).toContain('isolation: best-effort');
    expect(existsSync(join(dir, 'ran.marker')), 'the command ran').toBe(false);
    expectLaunchFirst(outcome.spawned);
    expect(outcome.spawned).not.toContain('touch');
  });

  it('runs with a process group only under isolation: best-effort, and says so', () => {
    const dir = mkdtempSync(join(scratch, 'best-effort-'));
    const outcome = spawnWithoutNamespaces('best-effort', dir);
    expect(outcome.ran).toBe(true);
    expect(outcome.isolation).toEqual({
      kind: 'process-group',
      init: null,
      bestEffort: true,
      landlock: false,
      seccomp: false,
    });
    expect(existsSync(join(dir, 'ran.marker'))).toBe(true);
    expectLaunchFirst(outcome.spawned);
    expect(outcome.spawned.at(-1), 'the program itself, in its own process group').toBe('touch');
  });
});
