import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bubblewrapArgs,
  devBindTable,
  hostDevEntries,
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
  it('passes every path as its own argument, never inside the script', () => {
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
      '2',
      hostile.path,
      '/home/u/.config/ironrun',
      '1',
      '/home/u/vault/secrets.env',
      // No terminal given: nothing is bound over /dev/console.
      '',
      // No host /dev entries given: the table binds the six devices of its own /dev alone.
      '0',
      devBindTable([]),
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
    expect(script).toContain(
      '-t devpts -o newinstance,ptmxmode=0666,mode=0620 ironrun-devpts /dev/pts',
    );
    expect(script).toContain('ln -s pts/ptmx "$s/ptmx"');
    // The stage is filled before it is moved, and the new devpts mounted on the moved one.
    expect(at('ironrun-dev "$s"')).toBeLessThan(at('--move'));
    expect(at('--move')).toBeLessThan(at('ironrun-devpts'));
    expect(script).not.toContain('/dev/pts/7');
    expect(script).not.toContain('pwned');
    expect(args.at(-1)).toBe(
      devBindTable([{ name: 'shm' }, { name: 'net', folder: true }, { name: 'net/tun' }, hostile]),
    );
    expect(args.slice(-15, -1)).toEqual([
      '/dev/pts/7',
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
    expect(at('ironrun-devpts')).toBeLessThan(at('set +e'));
    expect(at('--move')).toBeLessThan(at('set +e'));
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
