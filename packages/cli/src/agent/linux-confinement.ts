import { spawn } from 'node:child_process';
import { constants, type Dirent, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { isatty } from 'node:tty';
import type { SecretLocation } from './secret-locations.js';

/** How the agent is confined on Linux. */
export type LinuxConfinementKind = 'bubblewrap' | 'unshare';

/** A way to start the agent confined: the program and arguments that wrap its argv. */
export interface ConfinementLaunch {
  kind: LinuxConfinementKind;
  file: string;
  args: string[];
}

/** Why the agent cannot be confined here, and how to fix it. */
export interface ConfinementRefusal {
  reason: string;
  fix: string;
}

const bwrapCandidates = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'];
const unshareCandidates = [
  '/usr/bin/unshare',
  '/bin/unshare',
  '/usr/sbin/unshare',
  '/sbin/unshare',
];
const mountCandidates = ['/usr/bin/mount', '/bin/mount', '/usr/sbin/mount', '/sbin/mount'];
const shCandidates = ['/bin/sh', '/usr/bin/sh'];
const setprivCandidates = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'];
const envCandidates = ['/usr/bin/env', '/bin/env'];

async function firstExecutable(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next
    }
  }
  return undefined;
}

function exitsZero(
  file: string,
  args: readonly string[],
): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(file, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {},
      timeout: 5000,
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 2000) stderr += text;
    });
    child.once('error', () => resolve({ ok: false, stderr }));
    child.once('close', (code) => resolve({ ok: code === 0, stderr: stderr.trim() }));
  });
}

/**
 * The bubblewrap arguments: the whole file system as it is (project, home,
 * network), a /dev of its own (a new devpts instance, the agent's terminal on
 * /dev/console, every other host entry bound: `devEntries`, from
 * {@link hostDevEntries}), then each secret location covered
 * (folders by an empty read-only tmpfs, files by /dev/null read-only), new
 * user, PID and IPC namespaces with their own /proc. Every capability is
 * dropped before the agent starts (`--cap-drop ALL`: run as root, bwrap
 * would keep them), so no cover can be unmounted; a user namespace the agent
 * makes for itself sees them locked.
 *
 * The agent runs under coreutils `env --default-signal`: bwrap itself is
 * started with SIGINT and SIGQUIT ignored (a Ctrl-C in the agent's terminal
 * must reach the agent, not kill bwrap and with it the agent), and the agent
 * gets them back at their defaults.
 */
export function bubblewrapArgs(
  locations: readonly SecretLocation[],
  envProgram: string,
  devEntries: readonly DevEntry[] = [],
): string[] {
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--die-with-parent',
    // Run as root, bwrap keeps the agent's capabilities in its namespace unless told (and with
    // CAP_SYS_ADMIN there, the covers could be unmounted): drop them all, always.
    '--cap-drop',
    'ALL',
    '--dev-bind',
    '/',
    '/',
    // A /dev of its own: a new devpts instance (no other terminal of the machine exists
    // inside; the agent's own is bound over /dev/console), then every other host entry
    // as it is (see hostDevEntries).
    '--dev',
    '/dev',
  ];
  for (const entry of devEntries) {
    const path = `/dev/${entry.name}`;
    if (entry.symlink !== undefined) args.push('--symlink', entry.symlink, path);
    else args.push('--dev-bind-try', path, path);
  }
  args.push('--proc', '/proc');
  for (const location of locations) {
    if (location.kind === 'directory') {
      args.push('--tmpfs', location.path, '--remount-ro', location.path);
    } else {
      args.push('--ro-bind', '/dev/null', location.path);
    }
  }
  args.push('--', envProgram, '--default-signal=INT,QUIT', '--');
  return args;
}

/** One entry of the host's /dev, bound (or for a symbolic link, made) in bubblewrap's own /dev. */
export interface DevEntry {
  name: string;
  /** The link's target, for a symbolic link. */
  symlink?: string;
}

/** What bubblewrap's `--dev` makes itself: the terminals' entries are the ones to keep out. */
const ownDevEntries = new Set([
  'pts',
  'ptmx',
  'console',
  'null',
  'zero',
  'full',
  'random',
  'urandom',
  'tty',
  'fd',
  'stdin',
  'stdout',
  'stderr',
  'core',
]);

/**
 * Whether a /dev entry is one the agent could open as the person without being root:
 * read or write for others, or for a group the process is in, or for its owner when that is
 * the (non-root) person. Root's own devices (a raw disk, the consoles, loop devices) are
 * left out, also when ironrun runs as root: the agent holds no capability there anyway.
 */
function usableDevice(mode: number, owner: number, group: number): boolean {
  if (mode & 0o006) return true;
  const uid = process.getuid?.() ?? 0;
  const groups = new Set([process.getgid?.() ?? 0, ...(process.getgroups?.() ?? [])]);
  if (mode & 0o060 && group !== 0 && groups.has(group)) return true;
  return (mode & 0o600) !== 0 && owner === uid && uid !== 0;
}

/**
 * The host's /dev entries that bubblewrap's own /dev lacks, read at the start: folders and
 * mounts (`/dev/shm`, shared as before; `/dev/dri`, `/dev/net`) are bound as they are,
 * symbolic links made again, and devices bound when the agent could use them without root
 * ({@link usableDevice}: `/dev/kvm` or `/dev/fuse` for their group or for all), so the agent
 * sees the /dev it needs except the terminals: `pts`, `ptmx` and `console` are bubblewrap's
 * new instance. Each bind costs bubblewrap time at the start, so root-only devices (dozens:
 * `tty1`…`tty63`, `loop*`, disks) are not bound. A device that appears later is not seen.
 */
export function hostDevEntries(dev = '/dev'): DevEntry[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dev, { withFileTypes: true });
  } catch {
    return [];
  }
  const kept: DevEntry[] = [];
  for (const entry of entries) {
    if (ownDevEntries.has(entry.name)) continue;
    const path = `${dev}/${entry.name}`;
    try {
      if (entry.isSymbolicLink()) {
        kept.push({ name: entry.name, symlink: readlinkSync(path) });
        continue;
      }
      if (entry.isDirectory()) {
        kept.push({ name: entry.name });
        continue;
      }
      const stat = lstatSync(path);
      if (usableDevice(stat.mode, stat.uid, stat.gid)) kept.push({ name: entry.name });
    } catch {
      // gone since the listing
    }
  }
  return kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The shell run as PID 1 of the agent's namespaces by ironrun's own set-up:
 * in a user namespace where it is root, it covers each secret location
 * (mount needs that root), then starts the agent through a second user and
 * mount namespace that maps the person's own uid and gid. In that second
 * namespace every mount of the first is locked (the kernel refuses to
 * unmount it alone) and the agent, no longer uid 0, holds no capability.
 *
 * Run as root, the person's uid is 0 and the agent would be root of that
 * second namespace with every capability in it: util-linux `setpriv` then
 * empties its bounding, inheritable and ambient sets and sets no_new_privs
 * before the agent starts, so it holds no capability at all (as bubblewrap's
 * `--cap-drop ALL` does). Without setpriv, root is refused.
 *
 * The host's `/dev/pts` holds every terminal of the machine, and the person's
 * other terminals are theirs (same uid): the agent could write into one, or
 * read what is typed there. So a new devpts instance is mounted over
 * `/dev/pts` (its `ptmx` bound over `/dev/ptmx`, for the ptys the agent makes
 * itself, a terminal multiplexer's say); the agent keeps its own terminal
 * through the descriptors it inherits, and that terminal is bound over
 * `/dev/console` so `ttyname` (`tty`) still finds a name for it, as in
 * bubblewrap's `--dev`. A failed mount stops before the agent starts.
 *
 * It waits for the agent rather than exec'ing it so the agent is not PID 1
 * (PID 1 ignores every signal it has no handler for: a plain script could
 * not be stopped with Ctrl-C). Its own no-op traps keep it alive through a
 * Ctrl-C and are reset for the agent on exec.
 */
const unshareSetupScript = [
  'set -e',
  'u=$1; m=$2; uid=$3; gid=$4; p=$5; shift 5',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do "$m" -t tmpfs -o ro,mode=0755,size=4k ironrun-hidden "$1"; shift; n=$((n - 1)); done',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do "$m" --bind /dev/null "$1"; shift; n=$((n - 1)); done',
  't=$1; shift',
  'if [ -n "$t" ] && [ -e /dev/console ]; then "$m" --bind "$t" /dev/console; fi',
  '"$m" -t devpts -o newinstance,ptmxmode=0666,mode=0620 ironrun-devpts /dev/pts',
  '"$m" --bind /dev/pts/ptmx /dev/ptmx',
  'set +e',
  'trap : INT QUIT TERM HUP',
  'if [ "$uid" = 0 ]; then',
  '  "$u" --user --mount --map-user=0 --map-group=0 -- "$p" --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs -- "$@"',
  'else',
  '  "$u" --user --mount --map-user="$uid" --map-group="$gid" -- "$@"',
  'fi',
  'exit $?',
].join('\n');

/** The arguments of ironrun's own set-up with util-linux `unshare` (see the script above). */
export function unshareArgs(options: {
  locations: readonly SecretLocation[];
  unshare: string;
  mount: string;
  sh: string;
  /** util-linux `setpriv`, which drops every capability when `uid` is 0. */
  setpriv: string;
  uid: number;
  gid: number;
  /** The agent's terminal (`/dev/pts/N` of its standard streams), bound over `/dev/console`. */
  terminal?: string | undefined;
}): string[] {
  const folders = options.locations.filter((location) => location.kind === 'directory');
  const files = options.locations.filter((location) => location.kind === 'file');
  return [
    '--user',
    '--map-root-user',
    '--mount',
    '--propagation',
    'private',
    '--pid',
    '--fork',
    '--kill-child',
    '--mount-proc',
    '--ipc',
    '--',
    options.sh,
    '-c',
    unshareSetupScript,
    'ironrun-agent',
    options.unshare,
    options.mount,
    String(options.uid),
    String(options.gid),
    options.setpriv,
    String(folders.length),
    ...folders.map((location) => location.path),
    String(files.length),
    ...files.map((location) => location.path),
    options.terminal ?? '',
  ];
}

/**
 * The host pty that is this process's terminal (`/dev/pts/N`, the first of
 * standard input, output and error that is one), or `undefined`.
 */
export function ownTerminal(): string | undefined {
  for (const fd of [0, 1, 2]) {
    if (!isatty(fd)) continue;
    try {
      const path = readlinkSync(`/proc/self/fd/${fd}`);
      if (/^\/dev\/pts\/\d+$/.test(path)) return path;
    } catch {
      // no /proc: no name for it
    }
  }
  return undefined;
}

/** The confinement that works on this machine, found by {@link probeLinuxConfinement}. */
export interface LinuxConfinement {
  kind: LinuxConfinementKind;
  file: string;
  /** bubblewrap: coreutils env (and sh). The own set-up: util-linux unshare, mount, setpriv and sh. */
  tools: { env?: string; unshare?: string; mount?: string; setpriv?: string; sh?: string };
  uid: number;
  gid: number;
}

/**
 * Chooses how to confine the agent on this Linux machine and checks that its
 * namespaces can be created here: bubblewrap where it is installed, else
 * ironrun's own set-up with util-linux `unshare`, `mount` and `setpriv`.
 * Neither: a refusal with the reason and the fix. Each candidate is tried
 * once with the real namespaces on `true`, so a restriction (such as
 * Ubuntu's AppArmor limit on unprivileged user namespaces) is found before
 * the agent starts, not after.
 *
 * It needs no secret location (it covers none), so `ironrun agent` runs it
 * while it finds them. The covers themselves are made by the real start
 * ({@link linuxLaunch}): bubblewrap and the set-up script stop before the
 * agent starts when one fails, so a failed cover never starts the agent.
 */
export async function probeLinuxConfinement(
  options: { prefer?: LinuxConfinementKind | undefined } = {},
): Promise<LinuxConfinement | ConfinementRefusal> {
  return findLinuxConfinement({ ...options, tryEach: true });
}

/**
 * The first confinement whose programs are installed, in the order
 * {@link probeLinuxConfinement} tries them, without trying it (no child
 * process): `ironrun agent` starts the agent with it at once, behind a
 * marker that tells a completed set-up from one that failed
 * ({@link startedMarkerArgv}), and probes only when the set-up failed.
 */
export async function installedLinuxConfinement(
  options: { prefer?: LinuxConfinementKind | undefined } = {},
): Promise<LinuxConfinement | ConfinementRefusal> {
  return findLinuxConfinement({ ...options, tryEach: false });
}

async function findLinuxConfinement(options: {
  prefer?: LinuxConfinementKind | undefined;
  tryEach: boolean;
}): Promise<LinuxConfinement | ConfinementRefusal> {
  const problems: string[] = [];
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const [trueFound, bwrap, envProgram, unshare, mount, sh, setpriv] = await Promise.all([
    firstExecutable(['/usr/bin/true', '/bin/true']),
    firstExecutable(bwrapCandidates),
    firstExecutable(envCandidates),
    firstExecutable(unshareCandidates),
    firstExecutable(mountCandidates),
    firstExecutable(shCandidates),
    firstExecutable(setprivCandidates),
  ]);
  const trueProgram = trueFound ?? '/bin/true';
  const tryBubblewrap = async (): Promise<LinuxConfinement | undefined> => {
    if (bwrap === undefined) {
      problems.push('bubblewrap (bwrap) is not installed');
      return undefined;
    }
    if (envProgram === undefined) {
      problems.push('coreutils env is missing at /usr/bin/env');
      return undefined;
    }
    const confinement: LinuxConfinement = {
      kind: 'bubblewrap',
      file: bwrap,
      tools: { env: envProgram, ...(sh === undefined ? {} : { sh }) },
      uid,
      gid,
    };
    if (!options.tryEach) return confinement;
    const probe = await exitsZero(bwrap, [...linuxLaunch(confinement, []).args, trueProgram]);
    if (probe.ok) return confinement;
    problems.push(`bubblewrap cannot create its namespaces here (${probe.stderr || 'it failed'})`);
    return undefined;
  };
  const tryUnshare = async (): Promise<LinuxConfinement | undefined> => {
    if (unshare === undefined || mount === undefined || sh === undefined || setpriv === undefined) {
      problems.push(
        'util-linux unshare, mount and setpriv (and /bin/sh) are needed for ironrun’s own set-up',
      );
      return undefined;
    }
    const confinement: LinuxConfinement = {
      kind: 'unshare',
      file: unshare,
      tools: { unshare, mount, sh, setpriv },
      uid,
      gid,
    };
    if (!options.tryEach) return confinement;
    const probe = await exitsZero(unshare, [...linuxLaunch(confinement, []).args, trueProgram]);
    if (probe.ok) return confinement;
    problems.push(
      `unshare cannot create user, mount and PID namespaces here (${probe.stderr || 'it failed'})`,
    );
    return undefined;
  };
  const order =
    options.prefer === 'unshare' ? [tryUnshare, tryBubblewrap] : [tryBubblewrap, tryUnshare];
  if (options.prefer !== undefined) order.pop();
  for (const attempt of order) {
    const found = await attempt();
    if (found !== undefined) return found;
  }
  return {
    reason: problems.join('; '),
    fix:
      'Install bubblewrap (apt install bubblewrap, dnf install bubblewrap); where unprivileged user namespaces are restricted ' +
      '(Ubuntu 24.04), the distribution’s bubblewrap package is allowed them. Or enable them: sysctl kernel.unprivileged_userns_clone=1, ' +
      'or kernel.apparmor_restrict_unprivileged_userns=0.',
  };
}

/** The program and arguments that start an argv confined by `confinement`, covering `locations`. */
export function linuxLaunch(
  confinement: LinuxConfinement,
  locations: readonly SecretLocation[],
  terminal?: string,
): ConfinementLaunch {
  const { tools } = confinement;
  const args =
    confinement.kind === 'bubblewrap'
      ? bubblewrapArgs(locations, tools.env ?? '/usr/bin/env', hostDevEntries())
      : unshareArgs({
          locations,
          unshare: tools.unshare ?? confinement.file,
          mount: tools.mount ?? '/usr/bin/mount',
          sh: tools.sh ?? '/bin/sh',
          setpriv: tools.setpriv ?? '/usr/bin/setpriv',
          uid: confinement.uid,
          gid: confinement.gid,
          terminal,
        });
  return { kind: confinement.kind, file: confinement.file, args };
}

/** Tells a refusal from a launch. */
export function isConfinementRefusal<T extends object>(
  value: T | ConfinementRefusal,
): value is ConfinementRefusal {
  return 'reason' in value;
}

/** What the set-up marker writes on its descriptor once every namespace and cover is in place. */
export const startedMarker = 'ironrun-confined\n';

/**
 * `argv` behind a marker: `sh` writes {@link startedMarker} on descriptor 3,
 * closes it, and only then execs the agent. Put innermost (after bubblewrap's
 * or the own set-up's last step, and after `setpriv`), it runs only when the
 * whole confinement is set up, so a launch that ends without the marker
 * failed before the agent started. The agent never holds descriptor 3.
 */
export function startedMarkerArgv(sh: string, argv: readonly string[]): string[] {
  return [
    sh,
    '-c',
    `printf '${startedMarker.replace('\n', '\\n')}' >&3 && exec 3>&- && exec "$0" "$@"`,
    ...argv,
  ];
}
