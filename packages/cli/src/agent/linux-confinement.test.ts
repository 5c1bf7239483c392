import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bubblewrapArgs,
  bubblewrapExecReported,
  bubblewrapReportsStatus,
  bubblewrapStatusArgs,
  devBindTable,
  hostDevEntries,
  installedLinuxConfinement,
  linuxLaunch,
  markerDescriptor,
  markerWritten,
  setupFolders,
  setupMountTable,
  startedMarker,
  startedMarkerArgv,
  unshareArgs,
} from './linux-confinement.js';

const locations = [
  { path: '/home/u/.config/ironrun', kind: 'directory' as const, reason: 'config' },
  { path: '/home/u/vault/secrets.env', kind: 'file' as const, reason: 'envfile' },
];

describe('bubblewrapArgs', () => {
  it('covers folders with a read-only tmpfs and files with /dev/null, in new user, PID and IPC namespaces', () => {
    const args = bubblewrapArgs(locations, '/usr/bin/env');
    expect(args).toEqual(
      expect.arrayContaining([
        '--unshare-user',
        '--unshare-pid',
        '--unshare-ipc',
        '--die-with-parent',
      ]),
    );
    expect(args.join(' ')).toContain(
      '--tmpfs /home/u/.config/ironrun --remount-ro /home/u/.config/ironrun --ro-bind /dev/null /home/u/vault/secrets.env',
    );
    expect(args.join(' ')).toContain('--proc /proc');
    expect(args.slice(-3)).toEqual(['/usr/bin/env', '--default-signal=INT,QUIT', '--']);
    // No network namespace: the agent keeps the network.
    expect(args).not.toContain('--unshare-net');
  });
});

describe('unshareArgs', () => {
  it('passes every path in the mount table, its own argument, never inside the script', () => {
    const hostile = { path: '/home/u/$(touch pwned)"; x', kind: 'directory' as const, reason: 'x' };
    const args = unshareArgs({
      locations: [hostile, ...locations],
      unshare: '/usr/bin/unshare',
      mount: '/usr/bin/mount',
      sh: '/bin/sh',
      setpriv: '/usr/bin/setpriv',
      uid: 1000,
      gid: 1000,
    });
    const script = args[args.indexOf('-c') + 1] ?? '';
    expect(script).not.toContain('pwned');
    expect(args.slice(args.indexOf('-c') + 2)).toEqual([
      'ironrun-agent',
      '/usr/bin/unshare',
      '/usr/bin/mount',
      '1000',
      '1000',
      '/usr/bin/setpriv',
      // No terminal given: nothing is bound over /dev/console.
      '',
      // The folders made in one mkdir: the stage's pts and shm alone.
      '/dev/pts/pts\n/dev/pts/shm',
      // No host /dev entries given: the table binds the six devices of its own /dev alone.
      '0',
      setupMountTable([hostile, ...locations], []),
    ]);
    expect(devBindTable([]).split('\n')).toEqual([
      ...['null', 'zero', 'full', 'random', 'urandom', 'tty'].map(
        (name) => `/dev/${name} /dev/pts/${name} none rbind,nofail 0 0`,
      ),
      '',
    ]);
    expect(args.slice(0, 10)).toEqual(
      expect.arrayContaining([
        '--user',
        '--map-root-user',
        '--mount',
        '--pid',
        '--fork',
        '--mount-proc',
        '--ipc',
      ]),
    );
  });

  it('builds a /dev of its own on a tmpfs moved over /dev, a new devpts on its pts, the terminal and host entries as arguments', () => {
    const hostile = { name: 'x$(touch pwned)', symlink: '-rf "; touch pwned' };
    const args = unshareArgs({
      locations,
      unshare: '/usr/bin/unshare',
      mount: '/usr/bin/mount',
      sh: '/bin/sh',
      setpriv: '/usr/bin/setpriv',
      uid: 1000,
      gid: 1000,
      terminal: '/dev/pts/7',
      devEntries: [{ name: 'shm' }, { name: 'net', folder: true }, { name: 'net/tun' }, hostile],
    });
    const script = args[args.indexOf('-c') + 1] ?? '';
    const lines = script.split('\n');
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(script).toContain('-t tmpfs -o mode=0755,nosuid,size=64k ironrun-dev "$s"');
    expect(script).toContain('-n --move "$s" /dev');
    expect(script).toContain('ln -s pts/ptmx "$s/ptmx"');
    // The stage is filled (the table's binds and devpts) before it is moved.
    expect(at('ironrun-dev "$s"')).toBeLessThan(at('-n -a -T'));
    expect(at('-n -a -T')).toBeLessThan(at('--move'));
    // The terminal goes on the stage's console by a line of the table, before it is read.
    expect(at("printf '/dev/console %s none bind 0 0")).toBeLessThan(at('-n -a -T'));
    expect(script).not.toContain('/dev/pts/7');
    expect(script).not.toContain('pwned');
    expect(args.at(-1)).toBe(
      setupMountTable(locations, [
        { name: 'shm' },
        { name: 'net', folder: true },
        { name: 'net/tun' },
        hostile,
      ]),
    );
    expect(args.slice(-16, -1)).toEqual([
      '/dev/pts/7',
      '/dev/pts/pts\n/dev/pts/shm\n/dev/pts/net',
      '4',
      'bind',
      'shm',
      '',
      'folder',
      'net',
      '',
      'bind',
      'net/tun',
      '',
      'symlink',
      hostile.name,
      hostile.symlink,
    ]);
    // Every mount comes before `set +e`: a failed one stops before the agent starts.
    expect(at('-n -a -T')).toBeLessThan(at('set +e'));
    expect(at('--move')).toBeLessThan(at('set +e'));
    // One mount process for the covers, however many: none of its own per location.
    expect(script.match(/"\$m"/g)).toHaveLength(4);
  });
});

describe('setupFolders', () => {
  it('lists the stage’s folders one a line, and leaves a name holding a newline to the loop', () => {
    expect(
      setupFolders([
        { name: 'net', folder: true },
        { name: 'shm' },
        { name: 'dri', folder: true },
        { name: 'dri/by path', folder: true },
        { name: 'x\n/tmp/pwned', folder: true },
        { name: 'fd0', symlink: '/proc/self/fd/0' },
      ]).split('\n'),
    ).toEqual([
      '/dev/pts/pts',
      '/dev/pts/shm',
      '/dev/pts/net',
      '/dev/pts/dri',
      '/dev/pts/dri/by path',
    ]);
  });
});

describe('setupMountTable', () => {
  it('covers each location first, binds the /dev entries, then mounts a new devpts on the stage, no cover nofail', () => {
    const hostile = {
      path: '/home/u/x y\n/ / none rbind 0 0\\',
      kind: 'directory' as const,
      reason: 'x',
    };
    const table = setupMountTable([...locations, hostile], [{ name: 'shm' }]);
    const lines = table.split('\n').filter((line) => line !== '');
    expect(lines.slice(0, 3)).toEqual([
      'ironrun-hidden /home/u/.config/ironrun tmpfs ro,mode=0755,size=4k 0 0',
      '/dev/null /home/u/vault/secrets.env none bind 0 0',
      'ironrun-hidden /home/u/x\\040y\\012/\\040/\\040none\\040rbind\\0400\\0400\\134 tmpfs ro,mode=0755,size=4k 0 0',
    ]);
    expect(lines.slice(3, -1).join('\n')).toBe(devBindTable([{ name: 'shm' }]).trimEnd());
    expect(lines.at(-1)).toBe(
      'ironrun-devpts /dev/pts/pts devpts newinstance,ptmxmode=0666,mode=0620 0 0',
    );
    for (const line of lines.slice(0, 3)) expect(line).not.toContain('nofail');
    for (const line of lines) expect(line.split(' ')).toHaveLength(6);
  });
});

describe('devBindTable', () => {
  it('binds each device and folder, not links or folders made, with a crafted name kept to one line of one field', () => {
    const table = devBindTable([
      { name: 'shm' },
      { name: 'cpu', folder: true },
      { name: 'log', symlink: '/run/systemd/journal/dev-log' },
      { name: 'x y\n/ / none rbind 0 0\\' },
    ]);
    const lines = table.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(8);
    expect(lines).toContain('/dev/shm /dev/pts/shm none rbind,nofail 0 0');
    expect(table).not.toMatch(/\/dev\/(?:pts\/)?(?:cpu|log)\b/);
    // Space, newline and backslash as libmount's octal escapes: still six fields on one line.
    expect(lines.at(-1)).toBe(
      '/dev/x\\040y\\012/\\040/\\040none\\040rbind\\0400\\0400\\134 /dev/pts/x\\040y\\012/\\040/\\040none\\040rbind\\0400\\0400\\134 none rbind,nofail 0 0',
    );
    for (const line of lines) expect(line.split(' ')).toHaveLength(6);
  });
});

describe('startedMarkerArgv', () => {
  const run = (stdio: ('pipe' | 'ignore')[]) =>
    new Promise<{ code: number | null; out: string; marker: string }>((resolve) => {
      const [file, ...args] = startedMarkerArgv('/bin/sh', [
        '/bin/sh',
        '-c',
        'echo ran; if [ -e /proc/self/fd/3 ]; then echo fd3-open; else echo fd3-closed; fi',
      ]);
      const child = spawn(file as string, args, { stdio });
      let out = '';
      let marker = '';
      child.stdout?.on('data', (data: Buffer) => {
        out += data.toString();
      });
      (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (data: Buffer) => {
        marker += data.toString();
      });
      child.once('close', (code) => resolve({ code, out, marker }));
    });

  it('writes the marker on descriptor 3 and closes it before the agent runs', async () => {
    const result = await run(['ignore', 'pipe', 'ignore', 'pipe']);
    expect(result.marker).toBe(startedMarker);
    expect(result.code).toBe(0);
    // The agent runs without descriptor 3.
    expect(result.out).toBe('ran\nfd3-closed\n');
  });

  it('does not run the agent when it cannot write the marker', async () => {
    const result = await run(['ignore', 'pipe', 'ignore']);
    expect(result.code).not.toBe(0);
    expect(result.out).toBe('');
  });
});

describe('markerDescriptor', () => {
  const launch = (folder: string, script: string) => {
    const fd = markerDescriptor(folder);
    const [file, ...args] = startedMarkerArgv('/bin/sh', ['/bin/sh', '-c', script]);
    const result = spawnSync(file as string, args, {
      stdio: ['ignore', 'pipe', 'ignore', fd],
      encoding: 'utf8',
    });
    return { out: result.stdout, started: markerWritten(fd), left: readdirSync(folder) };
  };

  it('reads the marker the launch wrote, from a file no path leads to, which the agent never holds', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ironrun-marker-'));
    try {
      const result = launch(folder, '[ -e /proc/self/fd/3 ] && echo fd3-open || echo fd3-closed');
      expect(result).toEqual({ out: 'fd3-closed\n', started: true, left: [] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('tells a launch that wrote something else, or nothing, from a started one', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ironrun-marker-'));
    try {
      const fd = markerDescriptor(folder);
      spawnSync('/bin/sh', ['-c', `printf '${startedMarker.trim()}x' >&3`], {
        stdio: ['ignore', 'ignore', 'ignore', fd],
      });
      expect(markerWritten(fd)).toBe(false);
      const silent = markerDescriptor(folder);
      spawnSync('/bin/true', [], { stdio: ['ignore', 'ignore', 'ignore', silent] });
      expect(markerWritten(silent)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

const bubblewrap = await installedLinuxConfinement({ prefer: 'bubblewrap' }).then((found) =>
  'reason' in found ? undefined : found,
);
const bubblewrapWorks =
  bubblewrap !== undefined &&
  spawnSync(bubblewrap.file, [...linuxLaunch(bubblewrap, []).args, '/bin/true']).status === 0;

describe('bubblewrapExecReported', () => {
  /** A launch under bubblewrap with its status on a marker descriptor, as `ironrun agent` makes it. */
  const launch = (covered: Parameters<typeof linuxLaunch>[1], program: string[]) => {
    const folder = mkdtempSync(join(tmpdir(), 'ironrun-status-'));
    try {
      const fd = markerDescriptor(folder);
      const wrapper = linuxLaunch(bubblewrap as NonNullable<typeof bubblewrap>, covered);
      const result = spawnSync(
        wrapper.file,
        [...bubblewrapStatusArgs(3), ...wrapper.args, ...program],
        { stdio: ['ignore', 'pipe', 'ignore', fd], encoding: 'utf8' },
      );
      return { status: result.status, out: result.stdout, started: bubblewrapExecReported(fd) };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };

  it.skipIf(!bubblewrapWorks)(
    'reports a program that ran, whatever its exit code, and the program never holds the descriptor',
    () => {
      const script = '[ -e /proc/self/fd/3 ] && echo fd3-open || echo fd3-closed; exit 7';
      expect(launch([], ['/bin/sh', '-c', script])).toEqual({
        status: 7,
        out: 'fd3-closed\n',
        started: true,
      });
    },
  );

  it.skipIf(!bubblewrapWorks)(
    'does not report a set-up that failed at a cover, and the program never runs',
    () => {
      // Below a file: no mount point can be made there, so the cover fails.
      const folder = mkdtempSync(join(tmpdir(), 'ironrun-status-'));
      writeFileSync(join(folder, 'plain'), '');
      const result = launch(
        [{ path: join(folder, 'plain', 'vault.env'), kind: 'file', reason: 'x' }],
        ['/bin/echo', 'agent-ran'],
      );
      rmSync(folder, { recursive: true, force: true });
      expect(result.out).toBe('');
      expect(result.started).toBe(false);
      expect(result.status).not.toBe(0);
    },
  );

  it.skipIf(!bubblewrapWorks)("does not report a program that could not be exec'd", () => {
    // bubblewrap's own exec (env is its program in `ironrun agent`, which always runs).
    const wrapper = linuxLaunch(bubblewrap as NonNullable<typeof bubblewrap>, []);
    const folder = mkdtempSync(join(tmpdir(), 'ironrun-status-'));
    try {
      const fd = markerDescriptor(folder);
      const upToEnv = wrapper.args.slice(
        0,
        wrapper.args.lastIndexOf('--', wrapper.args.length - 4),
      );
      spawnSync(wrapper.file, [...bubblewrapStatusArgs(3), ...upToEnv, '--', '/nonexistent'], {
        stdio: ['ignore', 'ignore', 'ignore', fd],
      });
      expect(bubblewrapExecReported(fd)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reads only an exit code bubblewrap wrote: a pid alone, or other text, is no start', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ironrun-status-'));
    try {
      for (const text of ['{ "child-pid": 12 }\n', 'exit-code 0\n', '{ "exit-code": "0" }\n', '']) {
        const fd = markerDescriptor(folder);
        spawnSync('/bin/sh', ['-c', 'printf %s "$0" >&3', text], {
          stdio: ['ignore', 'ignore', 'ignore', fd],
        });
        expect(bubblewrapExecReported(fd), text).toBe(false);
      }
      const fd = markerDescriptor(folder);
      spawnSync(
        '/bin/sh',
        ['-c', 'printf %s "$0" >&3', '{ "child-pid": 12 }\n{ "exit-code": 0 }\n'],
        {
          stdio: ['ignore', 'ignore', 'ignore', fd],
        },
      );
      expect(bubblewrapExecReported(fd)).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.skipIf(!bubblewrapWorks)('finds that this bubblewrap takes --json-status-fd', async () => {
    expect(await bubblewrapReportsStatus(bubblewrap as NonNullable<typeof bubblewrap>)).toBe(true);
  });
});

const ownSetUp = await installedLinuxConfinement({ prefer: 'unshare' }).then((found) =>
  'reason' in found ? undefined : found,
);
const ownSetUpWorks =
  ownSetUp !== undefined &&
  spawnSync(ownSetUp.file, [...linuxLaunch(ownSetUp, []).args, '/bin/true']).status === 0;

describe('the own set-up (unshare)', () => {
  it.skipIf(!ownSetUpWorks)(
    'covers every location through its one mount table, and starts nothing when a cover cannot be mounted',
    () => {
      const work = mkdtempSync(join(tmpdir(), 'ironrun-own-set-up-'));
      try {
        const folder = join(work, 'vault cli $(x)');
        mkdirSync(folder);
        writeFileSync(join(folder, 'token'), 'not-for-the-agent-1\n');
        const file = join(work, 'secrets.env');
        writeFileSync(file, 'TOKEN=not-for-the-agent-2\n');
        const covered = [
          { path: folder, kind: 'directory' as const, reason: 'x' },
          { path: file, kind: 'file' as const, reason: 'x' },
        ];
        const start = (locations: typeof covered) => {
          const fd = markerDescriptor(work);
          const launch = linuxLaunch(ownSetUp as NonNullable<typeof ownSetUp>, locations);
          const agent = startedMarkerArgv('/bin/sh', [
            '/bin/sh',
            '-c',
            'echo agent-ran; ls -A "$1"; cat "$2"',
            'agent',
            folder,
            file,
          ]);
          const result = spawnSync(launch.file, [...launch.args, ...agent], {
            stdio: ['ignore', 'pipe', 'pipe', fd],
            encoding: 'utf8',
          });
          // What the agent saw, never its text: a failure message must not show a secret.
          return {
            status: result.status,
            ran: result.stdout.startsWith('agent-ran\n'),
            sawSomething: result.stdout !== 'agent-ran\n' && result.stdout !== '',
            started: markerWritten(fd),
          };
        };
        // Both covered: the folder is empty, the file reads empty.
        expect(start(covered)).toEqual({
          status: 0,
          ran: true,
          sawSomething: false,
          started: true,
        });
        // A location gone since it was found: its cover fails, and the agent never runs.
        const failed = start([
          ...covered,
          { path: join(work, 'gone'), kind: 'directory', reason: 'x' },
        ]);
        expect(failed.status).not.toBe(0);
        expect(failed).toMatchObject({ ran: false, sawSomething: false, started: false });
        // The file itself is untouched outside.
        expect(readFileSync(file, 'utf8') === 'TOKEN=not-for-the-agent-2\n').toBe(true);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});

describe('the own set-up’s /dev', () => {
  it.skipIf(!ownSetUpWorks)(
    'holds exactly the entries it makes and the host entries kept: names, types and link targets',
    () => {
      const work = mkdtempSync(join(tmpdir(), 'ironrun-own-dev-'));
      try {
        const entries = hostDevEntries();
        const launch = linuxLaunch(ownSetUp as NonNullable<typeof ownSetUp>, []);
        // Folders bound whole from the host (and the new devpts) are listed, not looked into.
        const bound = entries
          .filter((entry) => entry.symlink === undefined && entry.folder !== true)
          .map((entry) => `/dev/${entry.name}`)
          .filter((path) => lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true);
        const prune = ['/dev/pts', ...bound].flatMap((path) => ['-o', '-path', `${path}/*`]);
        const result = spawnSync(
          launch.file,
          [
            ...launch.args,
            '/usr/bin/find',
            '/dev',
            '-mindepth',
            '1',
            '(',
            ...prune.slice(1),
            ')',
            '-prune',
            '-o',
            '-printf',
            '%P %y %l\\n',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
        );
        expect(result.status).toBe(0);
        const typeOf = (path: string) => {
          const stat = lstatSync(path);
          return stat.isCharacterDevice()
            ? 'c'
            : stat.isBlockDevice()
              ? 'b'
              : stat.isDirectory()
                ? 'd'
                : 'f';
        };
        const expected = [
          ...['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((name) => `${name} c `),
          'pts d ',
          'shm d ',
          'fd l /proc/self/fd',
          'stdin l /proc/self/fd/0',
          'stdout l /proc/self/fd/1',
          'stderr l /proc/self/fd/2',
          'ptmx l pts/ptmx',
          ...entries
            .filter((entry) => entry.name !== 'shm')
            .map((entry) =>
              entry.symlink !== undefined
                ? `${entry.name} l ${entry.symlink}`
                : entry.folder === true
                  ? `${entry.name} d `
                  : `${entry.name} ${typeOf(`/dev/${entry.name}`)} `,
            ),
        ].sort();
        expect(
          result.stdout
            .split('\n')
            .filter((line) => line !== '')
            .sort(),
        ).toEqual(expected);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});

const root = process.getuid?.() === 0;

describe('hostDevEntries', () => {
  it.skipIf(!root)(
    'makes a folder empty when it holds a device only root may open, and binds the devices beneath that anybody may',
    () => {
      const dev = mkdtempSync(join(tmpdir(), 'ironrun-dev-'));
      try {
        // Device nodes (character 1:3, /dev/null's numbers), so the walk below /dev sees devices.
        const node = (path: string, mode: number) => {
          const made = spawnSync('/usr/bin/mknod', ['-m', mode.toString(8), path, 'c', '1', '3']);
          expect(made.status).toBe(0);
        };
        mkdirSync(join(dev, 'net'));
        node(join(dev, 'net/tun'), 0o600);
        mkdirSync(join(dev, 'dri'));
        node(join(dev, 'dri/card0'), 0o660);
        node(join(dev, 'dri/renderD128'), 0o666);
        mkdirSync(join(dev, 'dri/by-path'));
        symlinkSync('../card0', join(dev, 'dri/by-path/pci-card'));
        mkdirSync(join(dev, 'shm'));
        writeFileSync(join(dev, 'shm/segment'), '', { mode: 0o600 });
        mkdirSync(join(dev, 'input'));
        node(join(dev, 'input/event0'), 0o660);
        node(join(dev, 'vda'), 0o660);
        expect(hostDevEntries(dev)).toEqual([
          { name: 'dri', folder: true },
          { name: 'dri/by-path' },
          { name: 'dri/renderD128' },
          { name: 'input', folder: true },
          { name: 'net', folder: true },
          // Shared memory is no device: the folder is bound whole, its files as they are.
          { name: 'shm' },
        ]);
        const args = bubblewrapArgs(locations, '/usr/bin/env', hostDevEntries(dev)).join(' ');
        expect(args).toContain('--dir /dev/dri --dev-bind-try /dev/dri/by-path /dev/dri/by-path');
        expect(args).not.toMatch(/\/dev\/(?:vda|net\/tun|dri\/card0|input\/event0)\b/);
      } finally {
        rmSync(dev, { recursive: true, force: true });
      }
    },
  );
});

describe('a /dev of bubblewrap’s own', () => {
  it('binds every host entry except the terminals and what --dev makes, after --dev /dev', () => {
    const dev = mkdtempSync(join(tmpdir(), 'ironrun-dev-'));
    try {
      // Mode 0666 (for all), except kvm: for its owner alone, who is root or not the test.
      for (const name of ['kvm', 'pts', 'ptmx', 'console', 'null', 'tty', 'fuse', 'sda']) {
        writeFileSync(join(dev, name), '', { mode: name === 'sda' ? 0o600 : 0o666 });
        chmodSync(join(dev, name), name === 'sda' ? 0o600 : 0o666);
      }
      mkdirSync(join(dev, 'dri'));
      symlinkSync('/proc/self/fd', join(dev, 'fd'));
      symlinkSync('/run/systemd/journal/dev-log', join(dev, 'log'));
      const entries = hostDevEntries(dev);
      expect(entries).toEqual([
        { name: 'dri' },
        { name: 'fuse' },
        { name: 'kvm' },
        { name: 'log', symlink: '/run/systemd/journal/dev-log' },
        // The owner's own device is bound for a person, not for root (a raw disk as root).
        ...(root ? [] : [{ name: 'sda' }]),
      ]);
      const args = bubblewrapArgs(locations, '/usr/bin/env', entries).join(' ');
      expect(args).toContain(
        '--dev-bind / / --dev /dev --dev-bind-try /dev/dri /dev/dri --dev-bind-try /dev/fuse /dev/fuse',
      );
      expect(args).toContain('--symlink /run/systemd/journal/dev-log /dev/log --proc /proc');
      expect(args).not.toMatch(/\/dev\/(?:pts|ptmx|console)\b/);
    } finally {
      rmSync(dev, { recursive: true, force: true });
    }
  });
});
