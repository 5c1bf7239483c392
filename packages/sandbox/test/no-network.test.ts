import { access, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSandboxError, probeIsolation } from '../src/index.js';
import type { IsolationSupport } from '../src/probe-isolation.js';
import { spawnSealedWith } from '../src/spawn-sealed.js';
import { startFakeDnsServer } from './fake-dns-server.js';
import { fixturesDir, nodeFixture, sealedRun } from './sealed-run.js';

const isolation = await probeIsolation();
const linuxNetns = process.platform === 'linux' && isolation.noNetwork;

let server: Server;
let port: number;
let dns: Awaited<ReturnType<typeof startFakeDnsServer>>;

beforeAll(async () => {
  server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end('hello from outside');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  dns = await startFakeDnsServer('10.9.8.7');
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dns.close();
});

async function firstNameserver(): Promise<string | undefined> {
  try {
    const text = await readFile('/etc/resolv.conf', 'utf8');
    return /^nameserver\s+(\S+)/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
const nameserver = await firstNameserver();

describe('spawnSealed: noNetwork', () => {
  it('reaches a listener on 127.0.0.1 outside when the network is allowed (control)', async () => {
    const run = await sealedRun({ argv: nodeFixture('connect.mjs', '127.0.0.1', String(port)) });
    expect(run.stdout).toBe('connected');
  });

  it.skipIf(!linuxNetns)(
    'network escape: cannot connect to a listener on 127.0.0.1 outside',
    async () => {
      const run = await sealedRun({
        argv: nodeFixture('connect.mjs', '127.0.0.1', String(port)),
        noNetwork: true,
      });
      expect(run.result.exitCode).toBe(0);
      expect(run.stdout).not.toBe('connected');
      expect(run.stdout).toMatch(/^E[A-Z]+$/);
    },
  );

  it('resolves a name through a DNS server on 127.0.0.1 outside when the network is allowed (control)', async () => {
    const run = await sealedRun({
      argv: nodeFixture('resolve-name.mjs', 'vault.example', `127.0.0.1:${dns.port}`),
    });
    expect(JSON.parse(run.stdout)).toEqual(['10.9.8.7']);
  });

  it.skipIf(!linuxNetns)(
    'DNS exfiltration: cannot resolve through a DNS server outside',
    async () => {
      const run = await sealedRun({
        argv: nodeFixture('resolve-name.mjs', 'vault.example', `127.0.0.1:${dns.port}`),
        noNetwork: true,
      });
      expect(run.stdout).toMatch(/^E[A-Z]+$/);
    },
  );

  it.skipIf(!linuxNetns || nameserver === undefined)(
    'DNS exfiltration: the nameserver of /etc/resolv.conf answers nothing',
    async () => {
      const run = await sealedRun({
        argv: nodeFixture(
          'resolve-name.mjs',
          'example.com',
          nameserver!.includes(':') ? `[${nameserver}]:53` : `${nameserver}:53`,
        ),
        noNetwork: true,
      });
      expect(run.stdout).toMatch(/^E[A-Z]+$/);
    },
  );

  it.skipIf(!linuxNetns)(
    'gives the namespace only a loopback interface, up when iproute2 is installed',
    async () => {
      // /proc is mounted anew in the namespace, so /proc/net shows the namespace's interfaces
      // (/sys is not: /sys/class/net still lists the host's).
      const interfaces = await sealedRun({ argv: ['/bin/cat', '/proc/net/dev'], noNetwork: true });
      const names = interfaces.stdout
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((line) => line.split(':')[0]!.trim());
      expect(names).toEqual(['lo']);
      const ip = await Promise.any(
        ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].map((file) => access(file)),
      ).then(
        () => true,
        () => false,
      );
      const loopback = await sealedRun({
        argv: nodeFixture('loopback-selftest.mjs'),
        noNetwork: true,
      });
      expect(loopback.stdout === 'connected').toBe(ip);
    },
  );

  it('run-open fallback: refuses with ISOLATION_UNAVAILABLE when no network isolation exists, and runs nothing', async () => {
    const support: IsolationSupport = {
      report: {
        platform: 'linux',
        unshare: null,
        userNamespace: false,
        pidNamespace: false,
        noNetwork: false,
        sandboxExec: null,
        notes: ['no unshare'],
      },
      userFlags: [],
    };
    const error = await spawnSealedWith(
      {
        argv: nodeFixture('connect.mjs', '127.0.0.1', String(port)),
        cwd: fixturesDir,
        ttlMs: 5000,
        noNetwork: true,
      },
      { support },
    ).catch((caught: unknown) => caught);
    expect(isSandboxError(error) && error.code).toBe('ISOLATION_UNAVAILABLE');
    expect((error as Error).message).toContain('no_network');
  });

  // sandbox-exec exists only on macOS; on any other platform there is nothing to run this against.
  it.skipIf(process.platform !== 'darwin')(
    'network escape (macOS only: sandbox-exec): cannot connect to a listener on 127.0.0.1 outside',
    async () => {
      const run = await sealedRun({
        argv: nodeFixture('connect.mjs', '127.0.0.1', String(port)),
        noNetwork: true,
      });
      expect(run.stdout).not.toBe('connected');
    },
  );
});
