import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runProcess } from './cli-process.js';

// Run as root, the agent is uid 0 of its namespace without a capability, and a device node owned
// by root with mode 0600 (a raw disk, a loop device, a console) opens for its owner bits alone.
// An agent that sees the host's /dev can so read the disk that holds the envfile, bytes the cover
// over the envfile's path does not hide. The confinement's /dev must hold only what an ordinary
// user could open anyway. The disk here is a loop device with an ext4 file system that holds the
// ironrun config folder (root's disk in a VM may be refused even to root, as it is on some hosts).

const node = process.execPath;
const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;
/** What the attacker prints when it finds the secret: its hash, never the value. */
const secretHash = createHash('sha256').update(`API_TOKEN=${SECRET}`).digest('hex');

function works(file: string, args: readonly string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

const linux = process.platform === 'linux';
const root = process.getuid?.() === 0;
const tools = ['/usr/sbin/mkfs.ext4', '/usr/sbin/losetup', '/usr/bin/find'].every(existsSync);
const kinds = (['unshare', 'bubblewrap'] as const).filter(
  (kind) =>
    linux &&
    root &&
    works(node, [cliPath, 'agent', '--confinement', kind, '--dry-run', '--', 'true']),
);
if (!linux || !root) {
  console.log(
    'skipping the /dev tests: they need root on Linux (only root’s devices are at stake)',
  );
} else if (!tools) {
  console.log('skipping the /dev tests: mkfs.ext4, losetup or GNU find is missing');
}
for (const kind of ['unshare', 'bubblewrap'] as const) {
  if (linux && root && !kinds.includes(kind))
    console.log(`skipping the /dev tests under ${kind}: it fails here`);
}

/**
 * The attack, as a shell line: list every entry under /dev with its type and mode (stat, which
 * sees what a bind mount put there: find's own types are those of the file mounted over), then
 * read the first 64 MiB of every block device and print the hash of the envfile line found.
 */
const attack = [
  "find /dev ! -type d -exec stat -c 'node %F|%a|%n' {} + 2>/dev/null",
  'for d in $(find /dev ! -type d 2>/dev/null); do',
  '  [ -b "$d" ] || continue',
  '  if head -c 1 "$d" >/dev/null 2>&1; then echo "opened $d"; fi',
  '  found=$(head -c 67108864 "$d" 2>/dev/null | grep -a -o -m 1 \'API_TOKEN=sk_live_[0-9a-f]*\' | head -n 1)',
  '  if [ -n "$found" ]; then echo "read $d $(printf %s "$found" | sha256sum | cut -c 1-64)"; fi',
  'done',
  'echo done',
].join('\n');

interface Node {
  type: string;
  mode: number;
  path: string;
}

function nodes(stdout: string): Node[] {
  return stdout.split('\n').flatMap((line) => {
    const match = /^node (block|character) special file\|([0-7]+)\|(.+)$/.exec(line);
    if (match === null) return [];
    return [
      {
        type: match[1] as string,
        mode: Number.parseInt(match[2] as string, 8),
        path: match[3] as string,
      },
    ];
  });
}

let disk: { image: TestDir; loop: string; mountPoint: string } | undefined;
let project: TestDir;
let env: Record<string, string>;

beforeAll(async () => {
  if (kinds.length === 0 || !tools) return;
  const image = await testdir({});
  const file = image.path('disk.img');
  writeFileSync(file, '');
  expect(works('/usr/bin/truncate', ['-s', '16M', file])).toBe(true);
  expect(works('/usr/sbin/mkfs.ext4', ['-q', '-F', file])).toBe(true);
  const attach = spawnSync('/usr/sbin/losetup', ['-f', '--show', file], { encoding: 'utf8' });
  expect(attach.status, attach.stderr).toBe(0);
  const loop = attach.stdout.trim();
  const mountPoint = image.path('mnt');
  mkdirSync(mountPoint);
  disk = { image, loop, mountPoint };
  expect(works('/usr/bin/mount', [loop, mountPoint])).toBe(true);
  // The config folder, with the default envfile, on that disk; its bytes written through.
  mkdirSync(`${mountPoint}/cfg`, { mode: 0o700 });
  const envfile = `${mountPoint}/cfg/secrets.env`;
  writeFileSync(envfile, `API_TOKEN=${SECRET}\n`, { mode: 0o600 });
  const fd = openSync(envfile, 'r');
  fsyncSync(fd);
  closeSync(fd);
  project = await testdir({});
  env = {
    HOME: `${mountPoint}/home`,
    IRONRUN_CONFIG_DIR: `${mountPoint}/cfg`,
    XDG_STATE_HOME: `${mountPoint}/state`,
    PATH: '/usr/bin:/bin:/usr/sbin:/sbin',
  };
  mkdirSync(env.HOME as string);
});

afterAll(async () => {
  await project?.cleanup();
  if (disk !== undefined) {
    spawnSync('/usr/bin/umount', ['-l', disk.mountPoint]);
    spawnSync('/usr/sbin/losetup', ['-d', disk.loop]);
    await disk.image.cleanup();
  }
});

describe.skipIf(kinds.length === 0 || !tools)('ironrun agent as root: the host’s /dev', () => {
  it('the attack works outside: the loop device opens and holds the envfile’s line', async () => {
    const outside = await runProcess('/bin/sh', ['-c', attack], { cwd: project.dir, env });
    expect(outside.stdout).toMatch(/^done$/m);
    expect(outside.stdout).toContain(`opened ${disk?.loop}`);
    expect(outside.stdout).toContain(`read ${disk?.loop} ${secretHash}`);
    expect(nodes(outside.stdout).some((node) => node.type === 'block')).toBe(true);
    expect(outside.stdout + outside.stderr).not.toContain(SECRET);
  });

  for (const kind of kinds) {
    it(`${kind}: the agent finds no block device, and every device it sees is one anybody may open`, async () => {
      const inside = await runProcess(
        node,
        [cliPath, 'agent', '--confinement', kind, '--', '/bin/sh', '-c', attack],
        { cwd: project.dir, env },
      );
      expect(inside.code, inside.stderr).toBe(0);
      expect(inside.stdout).toMatch(/^done$/m);
      expect(inside.stdout).not.toContain(secretHash);
      expect(inside.stdout).not.toMatch(/^(?:opened|read) /m);
      expect(inside.stdout + inside.stderr).not.toContain(SECRET);
      const seen = nodes(inside.stdout);
      expect(seen.filter((node) => node.type === 'block')).toEqual([]);
      // The new devpts instance's entries and the agent's own terminal (on /dev/console) aside,
      // each device left is one that others may read or write: /dev/null, /dev/urandom…
      const rootOnly = seen.filter(
        (node) =>
          !node.path.startsWith('/dev/pts/') &&
          node.path !== '/dev/console' &&
          (node.mode & 0o006) === 0,
      );
      expect(rootOnly).toEqual([]);
      for (const name of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts/ptmx']) {
        expect(seen.map((node) => node.path)).toContain(`/dev/${name}`);
      }
    });
  }
});
