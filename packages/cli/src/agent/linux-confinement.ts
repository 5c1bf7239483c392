import { spawn } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  type Dirent,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  type Stats,
  unlinkSync,
} from 'node:fs';
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

/**
 * The first of `candidates` that is executable. Synchronous: one access(2) each, most found at
 * the first, which costs less on the start's path than a promise and a thread-pool round each.
 */
function firstExecutable(candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
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
 * /dev/console, the host entries the agent may use bound: `devEntries`, from
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
    // inside; the agent's own is bound over /dev/console), then the host entries
    // the agent may use (see hostDevEntries).
    '--dev',
    '/dev',
  ];
  for (const entry of devEntries) {
    const path = `/dev/${entry.name}`;
    if (entry.symlink !== undefined) args.push('--symlink', entry.symlink, path);
    else if (entry.folder === true) args.push('--dir', path);
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

/** One entry of the host's /dev, bound (or for a symbolic link, made) in the agent's own /dev. */
export interface DevEntry {
  /** Its path under /dev: `shm`, or `dri/renderD128` beneath a folder made. */
  name: string;
  /** The link's target, for a symbolic link. */
  symlink?: string;
  /**
   * A folder made empty rather than bound: it holds a device the agent may not have, and the
   * entries it may have follow as entries of their own.
   */
  folder?: true;
}

/** What bubblewrap's `--dev` (and the own set-up) makes itself: the terminals' entries are the ones to keep out. */
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
 * left out, also when ironrun runs as root: there the agent is uid 0 without a capability,
 * and a device owned by root with mode 0600 would still open for it by its owner bits.
 */
function usableDevice(mode: number, owner: number, group: number): boolean {
  if (mode & 0o006) return true;
  const uid = process.getuid?.() ?? 0;
  const groups = new Set([process.getgid?.() ?? 0, ...(process.getgroups?.() ?? [])]);
  if (mode & 0o060 && group !== 0 && groups.has(group)) return true;
  return (mode & 0o600) !== 0 && owner === uid && uid !== 0;
}

/** How deep below /dev folders are looked into; a device deeper than that is not kept. */
const deepestDevFolder = 4;

/** One folder of the host's /dev as read once: its entries, and what lstat said of those asked. */
interface DevListing {
  entries: Dirent[];
  stats: Map<string, Stats | undefined>;
}

/**
 * The reads of the host's /dev that {@link hostDevEntries} makes, each made once: a folder is
 * looked into both to judge it ({@link onlyUsableDevices}) and to keep what is in it
 * ({@link devEntriesIn}); the second look reads what the first read.
 */
class DevReads {
  readonly #listings = new Map<string, DevListing | undefined>();

  /** The entries of the folder `path`, sorted by name; `undefined` when it cannot be read. */
  listing(path: string): DevListing | undefined {
    if (this.#listings.has(path)) return this.#listings.get(path);
    let listing: DevListing | undefined;
    try {
      const entries = readdirSync(path, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      listing = { entries, stats: new Map() };
    } catch {
      listing = undefined;
    }
    this.#listings.set(path, listing);
    return listing;
  }

  /** lstat of the entry `name` of `listing` (in the folder `folder`); `undefined` when gone. */
  lstat(listing: DevListing, folder: string, name: string): Stats | undefined {
    if (listing.stats.has(name)) return listing.stats.get(name);
    let stat: Stats | undefined;
    try {
      stat = lstatSync(`${folder}/${name}`);
    } catch {
      stat = undefined;
    }
    listing.stats.set(name, stat);
    return stat;
  }
}

/**
 * Whether every device node in the folder `path` (and its folders, down to
 * {@link deepestDevFolder}) is one the agent may open ({@link usableDevice}). Other files
 * (the shared memory in `/dev/shm`, sockets, links) do not count.
 */
function onlyUsableDevices(reads: DevReads, path: string, depth: number): boolean {
  const listing = reads.listing(path);
  if (listing === undefined) return false;
  for (const entry of listing.entries) {
    if (entry.isDirectory()) {
      if (
        depth >= deepestDevFolder ||
        !onlyUsableDevices(reads, `${path}/${entry.name}`, depth + 1)
      )
        return false;
    } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      // undefined: gone since the listing
      const stat = reads.lstat(listing, path, entry.name);
      if (stat !== undefined && !usableDevice(stat.mode, stat.uid, stat.gid)) return false;
    }
  }
  return true;
}

/**
 * The entries to keep from the folder `dev/prefix`: links made again, devices the agent may
 * open bound, folders bound whole when every device beneath is one it may open, else made
 * empty with what it may open beneath them kept the same way. Top level (`prefix` empty), a
 * file that is no device is judged by its mode as a device would be (as before).
 */
function devEntriesIn(reads: DevReads, dev: string, prefix: string, depth: number): DevEntry[] {
  const folder = prefix === '' ? dev : `${dev}/${prefix}`;
  const listing = reads.listing(folder);
  if (listing === undefined) return [];
  const kept: DevEntry[] = [];
  for (const entry of listing.entries) {
    if (prefix === '' && ownDevEntries.has(entry.name)) continue;
    const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const path = `${dev}/${name}`;
    if (entry.isSymbolicLink()) {
      try {
        kept.push({ name, symlink: readlinkSync(path) });
      } catch {
        // gone since the listing
      }
    } else if (entry.isDirectory()) {
      if (onlyUsableDevices(reads, path, depth + 1)) kept.push({ name });
      else if (depth < deepestDevFolder) {
        kept.push({ name, folder: true }, ...devEntriesIn(reads, dev, name, depth + 1));
      }
    } else if (prefix === '' || entry.isCharacterDevice() || entry.isBlockDevice()) {
      const stat = reads.lstat(listing, folder, entry.name);
      if (stat !== undefined && usableDevice(stat.mode, stat.uid, stat.gid)) kept.push({ name });
    } else {
      kept.push({ name });
    }
  }
  return kept;
}

/**
 * The host's /dev entries that the agent's own /dev (bubblewrap's `--dev`, or the own
 * set-up's) lacks, read at the start: folders and mounts (`/dev/shm`, shared as before;
 * `/dev/dri`, `/dev/net`) are bound as they are when every device in them is one the agent
 * could use without root, else made empty with those devices alone bound in; symbolic links
 * are made again, and devices bound when the agent could use them without root
 * ({@link usableDevice}: `/dev/kvm` or `/dev/fuse` for their group or for all), so the agent
 * sees the /dev it needs except the terminals: `pts`, `ptmx` and `console` are a new
 * instance. Each bind costs time at the start, so root-only devices (dozens: `tty1`…`tty63`,
 * `loop*`, disks) are not bound, and run as root none owned by root alone is (a raw disk, a
 * loop device, `/dev/net/tun` at mode 0600). A device that appears later is not seen.
 */
export function hostDevEntries(dev = '/dev'): DevEntry[] {
  return devEntriesIn(new DevReads(), dev, '', 0);
}

/**
 * The shell run as PID 1 of the agent's namespaces by ironrun's own set-up:
 * in a user namespace where it is root, it covers each secret location
 * (mount needs that root; see {@link setupMountTable}), then starts the agent through a second user and
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
 * The agent gets a /dev of its own, as under bubblewrap's `--dev`: the host's
 * holds every terminal of the machine (the person's other terminals are theirs,
 * same uid: the agent could write into one, or read what is typed there) and,
 * run as root, devices that open for root's owner bits alone with no
 * capability (a raw disk holds the envfile's bytes around its cover). A tmpfs
 * is mounted over `/dev/pts` as a stage, while the host's /dev is still
 * visible: `null`, `zero`, `full`, `random`, `urandom` and `tty` are bound
 * from the host, `fd`, `stdin`, `stdout`, `stderr` and `ptmx` (to `pts/ptmx`)
 * made as links, the agent's own terminal bound on `console` (so `ttyname`
 * still finds a name for it; it keeps that terminal through the descriptors
 * it inherits), the entries of {@link hostDevEntries} added, and a new devpts
 * instance mounted on its `pts` (for the ptys the agent makes itself, a
 * terminal multiplexer's say). The stage is then moved over `/dev`, its
 * mounts with it. The covers, the binds and the devpts are one `mount -a`
 * of one table ({@link setupMountTable}), after the terminal's bind and the
 * stage: four mount processes with a terminal, three without, however many
 * locations are covered (one per cover before). A failed mount stops before
 * the agent starts (`mount -a` exits non-zero when one that is not `nofail`
 * fails).
 *
 * It waits for the agent rather than exec'ing it so the agent is not PID 1
 * (PID 1 ignores every signal it has no handler for: a plain script could
 * not be stopped with Ctrl-C). Its own no-op traps keep it alive through a
 * Ctrl-C and are reset for the agent on exec.
 */
const unshareSetupScript = [
  'set -e',
  'u=$1; m=$2; uid=$3; gid=$4; p=$5; shift 5',
  't=$1; shift',
  // The terminal goes over the host's /dev/console first: the stage below hides /dev/pts.
  'if [ -n "$t" ] && [ -e /dev/console ]; then "$m" --bind "$t" /dev/console; else t=; fi',
  's=/dev/pts',
  '"$m" -t tmpfs -o mode=0755,nosuid,size=64k ironrun-dev "$s"',
  'for d in null zero full random urandom tty; do : > "$s/$d"; done',
  // Every folder to make in one mkdir process (each costs about a millisecond at the start): its
  // paths one a line in one argument, split on newlines alone, with globbing off.
  'set -f; IFS="',
  '"; mkdir -p -- $1; unset IFS; set +f; shift',
  'ln -s /proc/self/fd "$s/fd"; ln -s /proc/self/fd/0 "$s/stdin"; ln -s /proc/self/fd/1 "$s/stdout"',
  'ln -s /proc/self/fd/2 "$s/stderr"; ln -s pts/ptmx "$s/ptmx"',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  case $1 in',
  '  bind) if [ -d "$s/$2" ]; then :; elif [ -d "/dev/$2" ]; then mkdir -p -- "$s/$2"; else : > "$s/$2"; fi ;;',
  '  folder) [ -d "$s/$2" ] || mkdir -p -- "$s/$2" ;;',
  '  symlink) ln -s -- "$3" "$s/$2" ;;',
  '  esac',
  '  shift 3; n=$((n - 1))',
  'done',
  // Every cover and bind in one mount process (each mount process costs milliseconds at the
  // start), in the order of a table under the stage's pts (setupMountTable): the covers, the
  // host's entries into the stage, the agent's terminal on its console, and a new devpts
  // instance on its pts, which then hides the table. -n: nothing written to the host's
  // /run/mount/utab (as uid 65534 the move would fail on it).
  'printf %s "$1" > "$s/pts/fstab"',
  'if [ -n "$t" ]; then : > "$s/console"; printf \'/dev/console %s none bind 0 0\\n\' "$s/console" >> "$s/pts/fstab"; fi',
  '"$m" -n -a -T "$s/pts/fstab"',
  'shift',
  // The stage, its mounts with it, over /dev.
  '"$m" -n --move "$s" /dev',
  'set +e',
  'trap : INT QUIT TERM HUP',
  'if [ "$uid" = 0 ]; then',
  '  "$u" --user --mount --map-user=0 --map-group=0 -- "$p" --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs -- "$@"',
  'else',
  '  "$u" --user --mount --map-user="$uid" --map-group="$gid" -- "$@"',
  'fi',
  'exit $?',
].join('\n');

/** The devices the own set-up binds from the host into the agent's /dev, as bubblewrap's `--dev` does. */
const ownDevDevices = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

/** A field of an fstab line: anything but plain path characters as `\ooo` octal, as libmount reads it. */
function fstabField(text: string): string {
  return text.replace(/[^A-Za-z0-9._/+:@-]/g, (char) =>
    [...Buffer.from(char)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join(''),
  );
}

/**
 * The fstab that `mount -a` reads in the own set-up: each host device and folder bound from
 * `/dev` into the stage (`/dev/pts`, before it is moved over `/dev`), recursively (a folder's
 * mounts, such as `/dev/shm`'s, come along), `nofail` for an entry gone since the listing.
 */
export function devBindTable(devEntries: readonly DevEntry[]): string {
  const names = [
    ...ownDevDevices,
    ...devEntries
      .filter((entry) => entry.symlink === undefined && entry.folder !== true)
      .map((entry) => entry.name),
  ];
  return names
    .map(
      (name) =>
        `${fstabField(`/dev/${name}`)} ${fstabField(`/dev/pts/${name}`)} none rbind,nofail 0 0\n`,
    )
    .join('');
}

/**
 * The table of the own set-up's one `mount -a`, in its order: each secret location covered (a
 * folder by an empty read-only tmpfs, a file by /dev/null), the host's /dev entries bound into
 * the stage ({@link devBindTable}), then a new devpts instance on the stage's `pts`. The covers
 * come first, so a bind of a host folder that holds one (an envfile in `/dev/shm`) carries the
 * cover with it; no cover is `nofail`.
 */
export function setupMountTable(
  locations: readonly SecretLocation[],
  devEntries: readonly DevEntry[],
): string {
  const covers = locations.map((location) =>
    location.kind === 'directory'
      ? `ironrun-hidden ${fstabField(location.path)} tmpfs ro,mode=0755,size=4k 0 0\n`
      : `/dev/null ${fstabField(location.path)} none bind 0 0\n`,
  );
  return `${covers.join('')}${devBindTable(devEntries)}ironrun-devpts /dev/pts/pts devpts newinstance,ptmxmode=0666,mode=0620 0 0\n`;
}

/**
 * The folders the own set-up makes on its stage (`/dev/pts`, moved over `/dev` later) in one
 * `mkdir -p`: its `pts` and `shm`, and each host folder made empty, one path a line. A name
 * holding a newline is left to the script's loop, which makes each folder not made yet.
 */
export function setupFolders(devEntries: readonly DevEntry[]): string {
  return ['pts', 'shm', ...devEntries.filter((entry) => entry.folder === true).map((e) => e.name)]
    .filter((name) => !name.includes('\n'))
    .map((name) => `/dev/pts/${name}`)
    .join('\n');
}

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
  /** The host's /dev entries to add to the agent's own ({@link hostDevEntries}). @default [] */
  devEntries?: readonly DevEntry[] | undefined;
}): string[] {
  const devEntries = options.devEntries ?? [];
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
    options.terminal ?? '',
    setupFolders(devEntries),
    String(devEntries.length),
    ...devEntries.flatMap((entry) =>
      entry.symlink !== undefined
        ? ['symlink', entry.name, entry.symlink]
        : [entry.folder === true ? 'folder' : 'bind', entry.name, ''],
    ),
    setupMountTable(options.locations, devEntries),
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
  const [trueFound, bwrap, envProgram, unshare, mount, sh, setpriv] = [
    ['/usr/bin/true', '/bin/true'],
    bwrapCandidates,
    envCandidates,
    unshareCandidates,
    mountCandidates,
    shCandidates,
    setprivCandidates,
  ].map(firstExecutable);
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
          devEntries: hostDevEntries(),
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

/**
 * The descriptor the set-up marker ({@link startedMarkerArgv}) is written to: a file made in
 * `folder` (the broker's private one, mode 0700) and removed at once, so only this process and
 * the launch it is handed to hold it, and nothing reaches it by a path. A file, not a pipe: a
 * pipe is a stream this process sets up on the start's path (about a millisecond of CPU), where
 * the marker is needed only once the launch has ended ({@link markerWritten}).
 */
export function markerDescriptor(folder: string): number {
  const path = `${folder}/started`;
  // wx+: created here (never one that exists, nor a link), read and written.
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Whether the launch wrote exactly {@link startedMarker} on `fd` ({@link markerDescriptor}); closes it. */
export function markerWritten(fd: number): boolean {
  return launchReport(fd, startedMarker.length + 1) === startedMarker;
}

/**
 * bubblewrap's own report of a completed set-up, in place of the marker's `sh`
 * ({@link startedMarkerArgv}): with `--json-status-fd`, bubblewrap (0.3.2 and later) writes its
 * child's pid on `fd`, and `{ "exit-code": N }` only once the program it set up was exec'd (every
 * namespace, cover and capability drop done before) and has exited; a set-up or an exec that
 * failed writes none. Its descriptor is closed in the sandbox: the agent never holds it. An older
 * bubblewrap refuses the option before it sets anything up ({@link bubblewrapReportsStatus}).
 */
export function bubblewrapStatusArgs(fd: number): string[] {
  return ['--json-status-fd', String(fd)];
}

/**
 * Whether bubblewrap's status on `fd` ({@link bubblewrapStatusArgs}, a {@link markerDescriptor})
 * reports the exit of the program it set up; closes it.
 */
export function bubblewrapExecReported(fd: number): boolean {
  const report = launchReport(fd, 4096);
  if (report === undefined) return false;
  return report.split('\n').some((line) => {
    try {
      const status = JSON.parse(line) as unknown;
      return (
        typeof status === 'object' &&
        status !== null &&
        Number.isInteger((status as Record<string, unknown>)['exit-code'])
      );
    } catch {
      return false;
    }
  });
}

/**
 * Whether `confinement`'s bubblewrap takes {@link bubblewrapStatusArgs}: it creates its
 * namespaces with the option (on a descriptor of its own) as without it. Asked only after a start
 * under it reported no exec.
 */
export async function bubblewrapReportsStatus(confinement: LinuxConfinement): Promise<boolean> {
  const probe = await exitsZero(confinement.file, [
    ...bubblewrapStatusArgs(1),
    ...linuxLaunch(confinement, []).args,
    firstExecutable(['/usr/bin/true', '/bin/true']) ?? '/bin/true',
  ]);
  return probe.ok;
}

/** What the launch wrote on `fd` (at most `limit` bytes, from its start), as Latin-1; closes it. */
function launchReport(fd: number, limit: number): string | undefined {
  try {
    const bytes = Buffer.alloc(limit);
    const length = readSync(fd, bytes, 0, bytes.length, 0);
    return bytes.toString('latin1', 0, length);
  } catch {
    // Unreadable: not known to have started, so the careful way follows (a probe).
    return undefined;
  } finally {
    closeSync(fd);
  }
}
