import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeIsolation } from '../src/index.js';
import { nativeInitPath } from '../src/native-init.js';
import { spawnSealedWith } from '../src/spawn-sealed.js';
import { fixture, sealedRun } from './sealed-run.js';

/**
 * The native init's seccomp filter, attacked from inside the seal: a program
 * (the trusted script, or agent code it runs) that tries each system call
 * the filter refuses, on its own child, on itself and on PID 1.
 */
const isolation = await probeIsolation();
const native = nativeInitPath();
const gcc = spawnSync('gcc', ['--version']).status === 0;
const why =
  !isolation.pidNamespace || native === null
    ? 'needs Linux with user and PID namespaces and the native init'
    : !gcc
      ? 'needs gcc to build the attack program'
      : process.arch !== 'x64' && process.arch !== 'arm64'
        ? `the filter knows x86_64 and aarch64 only, not ${process.arch}`
        : undefined;
if (why !== undefined) console.log(`seccomp: skipped: ${why}`);

const scratch = mkdtempSync('/tmp/ironrun-seccomp-');
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const attempts = join(scratch, 'seccomp-attempts');
const withoutSeccomp = join(scratch, 'without-seccomp');
if (why === undefined) {
  execFileSync('gcc', ['-O2', '-o', attempts, fixture('seccomp-attempts.c')]);
  execFileSync('gcc', [
    '-O2',
    '-DHIDDEN=__NR_seccomp',
    '-o',
    withoutSeccomp,
    fixture('without-landlock.c'),
  ]);
}

/** What the filter answers for each attempt (EPERM unless said otherwise). */
const refused: Record<string, string> = {
  ptrace_attach_child: 'EPERM',
  ptrace_attach_init: 'EPERM',
  ptrace_traceme: 'EPERM',
  process_vm_readv: 'EPERM',
  process_vm_writev: 'EPERM',
  kcmp: 'EPERM',
  pidfd_getfd: 'EPERM',
  add_key: 'EPERM',
  keyctl: 'EPERM',
  request_key: 'EPERM',
  userfaultfd: 'EPERM',
  perf_event_open: 'EPERM',
  bpf: 'EPERM',
  unshare_user: 'EPERM',
  unshare_user_then_mount: 'EPERM',
  clone_user: 'EPERM',
  // clone3's flags are in memory the filter cannot read: ENOSYS, so libc falls back to clone.
  clone3_user: 'ENOSYS',
  setns: 'EPERM',
  mount: 'EPERM',
  // Answered before the kernel looks at the descriptor (/dev/null: ENOTTY without the filter).
  ioctl_tiocsti: 'EPERM',
};

describe.skipIf(why !== undefined)('the native init: seccomp filter (attacks)', () => {
  it('refuses every system call that reaches into another process, the key store, new namespaces, mounts or terminal input', async () => {
    const run = await sealedRun({ argv: [attempts], cwd: scratch });
    expect(run.stderr).toBe('');
    const got = JSON.parse(run.stdout) as Record<string, string>;
    for (const [attempt, errno] of Object.entries(refused))
      expect(got[attempt], attempt).toBe(errno);
    // What every program needs still works.
    expect(got.fork).toBe('ok');
    expect(run.result.exitCode).toBe(0);
    // And the result says the filter was on.
    expect(run.result.isolation).toMatchObject({ init: 'native', seccomp: true });
  });

  it('names seccomp in result.isolation only for a run the native init started', async () => {
    const native = await sealedRun({ argv: ['/bin/true'], cwd: scratch });
    expect(native.result.isolation).toMatchObject({ init: 'native', seccomp: true });
    // What doctor shows agrees with what a run had.
    expect(isolation.seccomp).toBe(true);
    const child = await spawnSealedWith(
      { argv: ['/bin/true'], cwd: scratch, ttlMs: 20_000 },
      { nativeInit: null },
    );
    child.stdout.resume();
    child.stderr.resume();
    expect((await child.result).isolation).toMatchObject({ init: 'node', seccomp: false });
  });

  it.skipIf(process.arch !== 'x64')(
    'kills a process that makes a system call of another architecture (i386 int 0x80, x32)',
    async () => {
      const run = await sealedRun({ argv: [attempts], cwd: scratch });
      const got = JSON.parse(run.stdout) as Record<string, string>;
      expect(got.i386_syscall).toBe('SYS');
      expect(got.x32_syscall).toBe('SYS');
    },
  );

  it('refuses to run the program where the filter cannot be installed, even best-effort', () => {
    for (const mode of ['strict', 'best-effort']) {
      const project = mkdtempSync(join(scratch, 'project-'));
      const run = spawnSync(
        withoutSeccomp,
        [process.execPath, fixture('spawn-under-test.mjs'), project, mode],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      const outcome = JSON.parse(run.stdout) as { ran: boolean; code?: string; message?: string };
      expect(outcome, mode).toMatchObject({ ran: false, code: 'ISOLATION_UNAVAILABLE' });
      expect(outcome.message).toContain('seccomp filter');
      expect(existsSync(join(project, 'ran.marker')), `${mode}: the command ran`).toBe(false);
    }
  });
});

const root = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
const built = existsSync(new URL('../dist/index.js', import.meta.url));
if (why === undefined && (!root || !setpriv))
  console.log('seccomp: the uid 65534 run is skipped: it needs root and setpriv to drop to nobody');

describe.skipIf(why !== undefined || !root || !setpriv || !built)(
  'the native init: seccomp filter as uid 65534',
  () => {
    it('refuses the same system calls for a caller that is nobody', () => {
      const run = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          fixture('seccomp-as-caller.mjs'),
          attempts,
          scratch,
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      const got = JSON.parse(run.stdout) as Record<string, string>;
      for (const [attempt, errno] of Object.entries(refused))
        expect(got[attempt], attempt).toBe(errno);
      expect(got.fork).toBe('ok');
    });
  },
);
