import { describe, expect, it } from 'vitest';
import type { IsolationReport, IsolationSupport } from './probe-isolation.js';
import { isSandboxError } from './sandbox-error.js';
import { planLaunch } from './spawn-sealed.js';

function support(
  report: Partial<IsolationReport>,
  userFlags = ['--user', '--map-root-user'],
): IsolationSupport {
  return {
    report: {
      platform: 'linux',
      unshare: '/usr/bin/unshare',
      userNamespace: true,
      pidNamespace: true,
      noNetwork: true,
      sandboxExec: null,
      notes: [],
      ...report,
    },
    userFlags,
  };
}

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isSandboxError(error) ? error.code : 'OTHER';
  }
  return undefined;
}

describe('planLaunch', () => {
  it('runs the native init as PID 1 when one is installed, with nothing of the program in its argv', () => {
    const launch = planLaunch('/usr/bin/tool', ['tool', 'a'], true, support({}), {
      nativeInit: '/opt/ironrun-init',
    });
    // It makes the user, PID, mount, IPC, UTS (and here network) namespaces itself, as unshare would.
    expect(launch).toMatchObject({ file: '/opt/ironrun-init', viaInit: true, init: 'native' });
    expect(launch.args).toEqual(['--namespaces', '--user', '--net']);
    expect(launch.initEnv).toEqual({});
    expect(launch.args).not.toContain('a');
  });

  it('runs the namespace init under unshare with a PID namespace, and a network namespace for noNetwork', () => {
    const launch = planLaunch('/usr/bin/tool', ['tool', 'a'], true, support({}), {
      useInit: true,
      nativeInit: null,
    });
    expect(launch.file).toBe('/usr/bin/unshare');
    expect(launch.args.slice(0, 7)).toEqual([
      '--user',
      '--map-root-user',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '--net',
    ]);
    // Fresh IPC and UTS namespaces as well (no SysV/POSIX IPC object shared with the outside).
    expect(launch.args.slice(7, 9)).toEqual(['--ipc', '--uts']);
    expect(launch.args.slice(9, 12)).toEqual(['--', process.execPath, '-e']);
    expect(launch.viaInit).toBe(true);
    // The program and its arguments travel over the report channel, not in the init's argv.
    expect(launch.args).not.toContain('a');
  });

  it('starts a single executable as its own init, by argument and environment marker', () => {
    const launch = planLaunch('/usr/bin/tool', ['tool', 'a'], true, support({}), {
      selfInit: true,
    });
    expect(launch.args.slice(9)).toEqual(['--', process.execPath, '--ironrun-sandbox-init']);
    expect(launch.initEnv).toEqual({ IRONRUN_SANDBOX_INIT: '1' });
    expect(launch.viaInit).toBe(true);
    expect(launch.args).not.toContain('a');
  });

  it('gives the node -e init an empty environment', () => {
    const launch = planLaunch('/usr/bin/tool', ['tool'], false, support({}), {
      selfInit: false,
      nativeInit: null,
    });
    expect(launch.args.slice(-3, -1)).toEqual([process.execPath, '-e']);
    expect(launch.initEnv).toEqual({});
  });

  it('passes the program to unshare directly without the init', () => {
    const launch = planLaunch('/usr/bin/tool', ['tool', 'a'], false, support({}), {
      useInit: false,
    });
    expect(launch.args.slice(-3)).toEqual(['--', '/usr/bin/tool', 'a']);
    expect(launch.viaInit).toBe(false);
  });

  it('uses a network namespace alone when a PID namespace is unavailable', () => {
    const launch = planLaunch(
      '/usr/bin/tool',
      ['tool'],
      true,
      support({ pidNamespace: false }),
      {},
      'best-effort',
    );
    expect(launch.args).toEqual(['--user', '--map-root-user', '--net', '--', '/usr/bin/tool']);
  });

  it('falls back to a plain process group without noNetwork when no namespace is available', () => {
    const launch = planLaunch(
      '/usr/bin/tool',
      ['tool', 'a'],
      false,
      support({ unshare: null, pidNamespace: false, noNetwork: false }),
      {},
      'best-effort',
    );
    expect(launch).toEqual({
      file: '/usr/bin/tool',
      args: ['a'],
      viaInit: false,
      argv0: 'tool',
      kind: 'process-group',
    });
  });

  it('fails closed: refuses a launch without a PID namespace on Linux unless best-effort', () => {
    for (const report of [{ pidNamespace: false }, { unshare: null, pidNamespace: false }]) {
      let caught: unknown;
      try {
        planLaunch('/usr/bin/tool', ['tool'], false, support({ ...report, notes: ['why'] }), {});
      } catch (error) {
        caught = error;
      }
      expect(isSandboxError(caught) && caught.code).toBe('ISOLATION_UNAVAILABLE');
      expect((caught as Error).message).toContain('isolation: best-effort');
      expect((caught as Error).message).toContain('why');
    }
  });

  it('never runs open: refuses noNetwork without a network namespace or sandbox-exec', () => {
    expect(
      refusal(() => planLaunch('/usr/bin/tool', ['tool'], true, support({ noNetwork: false }), {})),
    ).toBe('ISOLATION_UNAVAILABLE');
    expect(
      refusal(() =>
        planLaunch(
          '/usr/bin/tool',
          ['tool'],
          true,
          support({ unshare: null, noNetwork: false }),
          {},
        ),
      ),
    ).toBe('ISOLATION_UNAVAILABLE');
    expect(
      refusal(() =>
        planLaunch(
          '/usr/bin/tool',
          ['tool'],
          true,
          support({ platform: 'darwin', unshare: null, noNetwork: false }),
          {},
        ),
      ),
    ).toBe('ISOLATION_UNAVAILABLE');
    expect(
      refusal(() =>
        planLaunch(
          '/usr/bin/tool',
          ['tool'],
          true,
          support({ platform: 'freebsd', unshare: null, noNetwork: false }),
          {},
        ),
      ),
    ).toBe('ISOLATION_UNAVAILABLE');
  });

  it('wraps the program in sandbox-exec denying the network on macOS', () => {
    const launch = planLaunch(
      '/usr/bin/tool',
      ['tool', 'a'],
      true,
      support({
        platform: 'darwin',
        unshare: null,
        pidNamespace: false,
        sandboxExec: '/usr/bin/sandbox-exec',
      }),
      {},
    );
    expect(launch).toEqual({
      file: '/usr/bin/sandbox-exec',
      args: ['-p', '(version 1)(allow default)(deny network*)', '--', '/usr/bin/tool', 'a'],
      viaInit: false,
      kind: 'sandbox-exec',
    });
  });

  it('refuses Windows, where the whole tree cannot be ended', () => {
    expect(
      refusal(() =>
        planLaunch(
          'C:\\tool.exe',
          ['tool'],
          false,
          support({ platform: 'win32', unshare: null }),
          {},
        ),
      ),
    ).toBe('ISOLATION_UNAVAILABLE');
  });
});
