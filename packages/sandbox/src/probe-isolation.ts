import { spawn } from 'node:child_process';
// `fs.promises` looked up at each call: `ironrun run`'s bundle holds this file, and a run
// that does not call it never loads node:fs/promises.
import { accessSync, constants, promises as fs } from 'node:fs';
import { nativeInitPackage, nativeInitPath } from './native-init.js';

/** What process isolation this machine offers, as reported by {@link probeIsolation}. */
export interface IsolationReport {
  /** `process.platform`. */
  platform: NodeJS.Platform;
  /** Absolute path of util-linux `unshare` (Linux), or `null` when none is installed at a fixed location. */
  unshare: string | null;
  /** Whether `unshare` can create a user namespace here (needed when not running as root). */
  userNamespace: boolean;
  /**
   * Whether a sealed child runs in its own PID namespace (with its own `/proc`),
   * so the whole tree dies with it even if a descendant calls `setsid()`.
   */
  pidNamespace: boolean;
  /** Whether `noNetwork: true` can be honoured: a network namespace (Linux) or `sandbox-exec` (macOS). */
  noNetwork: boolean;
  /** Absolute path of `sandbox-exec` (macOS), or `null`. */
  sandboxExec: string | null;
  /** One line per missing capability: what is missing and why, for `ironrun doctor`. */
  notes: string[];
  /**
   * Linux: whether AppArmor restricts unprivileged user namespaces
   * (`kernel.apparmor_restrict_unprivileged_userns = 1`, as on Ubuntu 24.04).
   */
  appArmorRestrictsUserNamespaces?: boolean;
  /** Linux: the native init that runs as PID 1, or `null` when the Node init is used instead. */
  nativeInit?: string | null;
  /**
   * Linux: whether the native init can install its seccomp filter before
   * each program: it is installed, and the kernel offers seccomp filters with
   * the actions the filter uses (`errno`, `kill_process`, from
   * `/proc/sys/kernel/seccomp/actions_avail`). Where this is `false` every
   * run through the native init is refused; a run that started had the filter
   * (`result.isolation.seccomp`). A seccomp filter this process already runs
   * under that refuses `seccomp(2)` is found only by a run (a note says when
   * one is there).
   */
  seccomp?: boolean;
}

/** How the sandbox will wrap a child on this machine. */
export interface IsolationSupport {
  report: IsolationReport;
  /** The `unshare` flags that create a user namespace (empty when running as root without one). */
  userFlags: string[];
}

const unshareCandidates = [
  '/usr/bin/unshare',
  '/bin/unshare',
  '/usr/sbin/unshare',
  '/sbin/unshare',
];
const sandboxExecPath = '/usr/bin/sandbox-exec';
/** The `sandbox-exec` profile for `noNetwork: true`: everything allowed except the network. */
export const denyNetworkProfile = '(version 1)(allow default)(deny network*)';

function firstExecutableSync(candidates: readonly string[]): string | null {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

async function firstExecutable(candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) {
    try {
      await fs.access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

/** Runs a probe command and tells whether it exited 0 (no shell, empty environment). */
function succeeds(file: string, args: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { stdio: 'ignore', env: {}, timeout: 5000 });
    } catch {
      resolve(false);
      return;
    }
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** The flags of fresh IPC (SysV and POSIX message queues, shared memory, semaphores) and UTS namespaces. */
export const freshNamespaceFlags = ['--ipc', '--uts'];

/** The flags of a PID namespace whose init dies with `unshare`, with its own `/proc`. */
export const pidNamespaceFlags = ['--pid', '--fork', '--kill-child', '--mount-proc'];

async function appArmorRestrictsUserNamespaces(): Promise<boolean> {
  try {
    return (
      (
        await fs.readFile('/proc/sys/kernel/apparmor_restrict_unprivileged_userns', 'utf8')
      ).trim() === '1'
    );
  } catch {
    return false;
  }
}

/** The seccomp actions the kernel offers, or `undefined` when it has no seccomp filters. */
async function seccompActions(): Promise<string[] | undefined> {
  try {
    return (await fs.readFile('/proc/sys/kernel/seccomp/actions_avail', 'utf8'))
      .trim()
      .split(/\s+/);
  } catch {
    return undefined;
  }
}

/** Whether this process already runs under a seccomp filter (`Seccomp: 2` in its status). */
async function underSeccompFilter(): Promise<boolean> {
  try {
    return /^Seccomp:\s*2$/m.test(await fs.readFile('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

async function seccompNotes(report: IsolationReport, notes: string[]): Promise<void> {
  if (report.nativeInit === null) {
    report.seccomp = false;
    return;
  }
  const actions = await seccompActions();
  report.seccomp = actions?.includes('errno') === true && actions.includes('kill_process');
  if (!report.seccomp)
    notes.push(
      'the kernel offers no seccomp filter with the errno and kill_process actions (/proc/sys/kernel/seccomp/actions_avail): the native init refuses to run any program without its filter',
    );
  else if (await underSeccompFilter())
    notes.push(
      'this process already runs under a seccomp filter: if that filter refuses seccomp(2), the native init refuses every run (start ironrun outside it)',
    );
}

async function probeLinux(): Promise<IsolationSupport> {
  const notes: string[] = [];
  const unshare = await firstExecutable(unshareCandidates);
  const report: IsolationReport = {
    platform: 'linux',
    unshare,
    userNamespace: false,
    pidNamespace: false,
    noNetwork: false,
    sandboxExec: null,
    notes,
    appArmorRestrictsUserNamespaces: await appArmorRestrictsUserNamespaces(),
    nativeInit: nativeInitPath(),
  };
  if (report.nativeInit === null)
    notes.push(
      `the native init (${nativeInitPackage() ?? 'none for this architecture'}) is not installed: the Node init is used, which a program running as the same user could ptrace, with no seccomp filter and no Landlock`,
    );
  await seccompNotes(report, notes);
  if (unshare === null) {
    notes.push(
      'util-linux unshare not found in /usr/bin, /bin, /usr/sbin or /sbin: no PID or network namespace',
    );
    return { report, userFlags: [] };
  }
  // The probe's child is unshare itself, printing its version: nothing else need exist.
  const check = (flags: readonly string[]) =>
    succeeds(unshare, [...flags, '--', unshare, '--version']);
  const userFlags = ['--user', '--map-root-user'];
  // The common case in one spawn (each costs a fork of this process, which a
  // one-shot `ironrun run` pays): where user, PID and network namespaces can
  // be made together, each can be made alone. Only a failure needs the probes
  // one by one, which find what is missing and say why.
  if (await check([...userFlags, ...pidNamespaceFlags, '--net'])) {
    report.userNamespace = true;
    report.pidNamespace = true;
    report.noNetwork = true;
    return { report, userFlags };
  }
  report.userNamespace = await check(userFlags);
  let flags: string[] = userFlags;
  if (!report.userNamespace) {
    flags = [];
    if (process.getuid?.() !== 0) {
      notes.push(
        report.appArmorRestrictsUserNamespaces
          ? 'unshare cannot create a user namespace: AppArmor restricts unprivileged user namespaces here (kernel.apparmor_restrict_unprivileged_userns=1, as on Ubuntu 24.04). Fix: give unshare an AppArmor profile that allows userns (see the @ironrun/sandbox README), or set that sysctl to 0'
          : 'unshare cannot create a user namespace (unprivileged user namespaces are disabled here, e.g. kernel.unprivileged_userns_clone=0 or user.max_user_namespaces=0)',
      );
      return { report, userFlags: [] };
    }
  }
  const [pid, net] = await Promise.all([
    check([...flags, ...pidNamespaceFlags]),
    check([...flags, '--net']),
  ]);
  report.pidNamespace = pid;
  report.noNetwork = net;
  if (!pid)
    notes.push(
      'unshare cannot create a PID namespace with its own /proc: a descendant that calls setsid() can outlive the TTL',
    );
  if (!net)
    notes.push('unshare cannot create a network namespace: commands with no_network are refused');
  return { report, userFlags: flags };
}

async function probeDarwin(): Promise<IsolationSupport> {
  const notes: string[] = [
    'macOS has no PID namespace: a descendant that calls setsid() can outlive the TTL',
  ];
  const found = await firstExecutable([sandboxExecPath]);
  const works =
    found !== null && (await succeeds(found, ['-p', denyNetworkProfile, '/usr/bin/true']));
  if (!works)
    notes.push(
      'sandbox-exec is missing or refuses the deny-network profile: commands with no_network are refused',
    );
  return {
    report: {
      platform: 'darwin',
      unshare: null,
      userNamespace: false,
      pidNamespace: false,
      noNetwork: works,
      sandboxExec: works ? found : null,
      notes,
    },
    userFlags: [],
  };
}

async function probe(): Promise<IsolationSupport> {
  if (process.platform === 'linux') return probeLinux();
  if (process.platform === 'darwin') return probeDarwin();
  const notes = [
    process.platform === 'win32'
      ? 'Windows is not supported: there is no process group to kill the whole tree with'
      : `${process.platform} has no supported PID or network isolation: commands with no_network are refused`,
  ];
  return {
    report: {
      platform: process.platform,
      unshare: null,
      userNamespace: false,
      pidNamespace: false,
      noNetwork: false,
      sandboxExec: null,
      notes,
    },
    userFlags: [],
  };
}

let cached: Promise<IsolationSupport> | undefined;

/** The probe's result when it has run (or is running) in this process, else `undefined`. */
export function probedSupport(): Promise<IsolationSupport> | undefined {
  return cached;
}

/**
 * What a launch through the native init may assume without the probe: the
 * common case, where user, PID and network namespaces can all be made (the
 * init makes them itself). Only on Linux with util-linux `unshare` installed
 * (as the probe requires). This is never a reason to run with less: where
 * the init cannot make them it exits 125 before it reads its configuration,
 * so nothing has run, and only then does `spawnSealed` run the probe and plan
 * the launch again on what it finds (a refusal under `strict`).
 */
export function assumedSupport(nativeInit: string): IsolationSupport | undefined {
  if (process.platform !== 'linux') return undefined;
  const unshare = firstExecutableSync(unshareCandidates);
  if (unshare === null) return undefined;
  return {
    report: {
      platform: 'linux',
      unshare,
      userNamespace: true,
      pidNamespace: true,
      noNetwork: true,
      sandboxExec: null,
      notes: [],
      nativeInit,
    },
    userFlags: ['--user', '--map-root-user'],
  };
}

/** The probe, run once per process (a few milliseconds on Linux) and cached. */
export function isolationSupport(): Promise<IsolationSupport> {
  cached ??= probe();
  return cached;
}

/**
 * Reports what isolation `spawnSealed` can use on this machine: a PID
 * namespace (the TTL kills every descendant), a network namespace or
 * `sandbox-exec` (for `noNetwork`), with a note for each thing missing.
 * The probe runs once per process and is cached.
 *
 * @example
 * const report = await probeIsolation();
 * if (!report.noNetwork) console.log(report.notes.join('\n'));
 */
export async function probeIsolation(): Promise<IsolationReport> {
  const { report } = await isolationSupport();
  return { ...report, notes: [...report.notes] };
}
