import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { probeIsolation } from '../src/index.js';
import { nativeInitPath } from '../src/native-init.js';
import { sealedRun } from './sealed-run.js';

const isolation = await probeIsolation();
const native = nativeInitPath();
const arm64Init = fileURLToPath(
  new URL('../../sandbox-linux-arm64/dist/ironrun-init', import.meta.url),
);
const qemu = '/usr/bin/qemu-aarch64';
if (native === null)
  console.log('native-init: skipped: @ironrun/sandbox-linux-<arch> is not built');
if (!existsSync(qemu) || !existsSync(arm64Init))
  console.log(
    'native-init: the arm64 check is skipped: needs qemu-user and a built linux-arm64 init',
  );

function refusesOutsideANamespace(command: string, args: string[]) {
  const run = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(run.status).toBe(125);
  expect(run.stderr).toContain('runs only as PID 1');
}

/** The p_type of each program header of a 64-bit little-endian ELF file. */
function programHeaderTypes(file: string): number[] {
  const elf = readFileSync(file);
  expect(elf.subarray(0, 6).toString('latin1')).toBe('\x7fELF\x02\x01');
  const offset = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  return Array.from({ length: elf.readUInt16LE(0x38) }, (_, i) =>
    elf.readUInt32LE(offset + i * size),
  );
}

const PT_INTERP = 3;

describe.skipIf(native === null)('the native init', () => {
  it('needs no loader or libc inside the sandbox: no PT_INTERP, on each built architecture', () => {
    // A musl-gcc asked for -static-pie, for one, links a program that needs ld-musl (which the
    // sandbox does not have): such a build must not pass for static.
    for (const file of [native!, ...(existsSync(arm64Init) ? [arm64Init] : [])]) {
      const types = programHeaderTypes(file);
      expect(types.length, file).toBeGreaterThan(0);
      expect(types, file).not.toContain(PT_INTERP);
    }
  });

  it('refuses to act when started by hand, outside a namespace the sandbox made', () => {
    refusesOutsideANamespace(native!, []);
  });

  it('refuses a spawner socket path that is relative or directly in /', () => {
    // The socket's folder is what every run of the spawner gets covered: never `/` itself.
    for (const [path, reason] of [
      ['listener.sock', 'needs an absolute socket path'],
      ['/listener.sock', 'inside a folder other than /'],
    ] as const) {
      const run = spawnSync(native!, ['--spawner', path], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(run.signal, path).toBeNull();
      expect(run.status, path).toBe(125);
      expect(run.stderr, path).toContain(reason);
    }
  });

  it.skipIf(!existsSync(qemu) || !existsSync(arm64Init) || process.arch === 'arm64')(
    'the linux-arm64 build runs under qemu-user (and refuses the same way)',
    () => {
      // qemu-user is multi-threaded, so it cannot create the program's user
      // namespace: a full sealed run of the arm64 init is left to arm64 machines.
      refusesOutsideANamespace(qemu, [arm64Init]);
    },
  );

  it.skipIf(!isolation.pidNamespace)(
    'runs the program as a uid other than 0 in its namespace, with no capabilities',
    async () => {
      const run = await sealedRun({
        argv: ['/bin/sh', '-c', 'id -u; grep -E "^Cap(Eff|Prm):" /proc/self/status'],
        allow: ['id', 'grep'],
      });
      const [uid, ...caps] = run.stdout.trim().split('\n');
      expect(Number(uid)).not.toBe(0);
      expect(caps).toEqual(['CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000']);
    },
  );

  it.skipIf(!isolation.pidNamespace)(
    'sets core dumps off and the limits asked for, whatever the caller had',
    async () => {
      const run = await sealedRun({
        argv: ['/bin/cat', '/proc/self/limits'],
        limits: { processes: 77, fileSizeBytes: 1_048_576, cpuSeconds: 30 },
      });
      const limit = (name: string) =>
        run.stdout
          .split('\n')
          .find((line) => line.startsWith(name))
          ?.slice(26)
          .trim()
          .split(/\s+/)
          .slice(0, 2);
      expect(limit('Max core file size')).toEqual(['0', '0']);
      expect(limit('Max processes')).toEqual(['77', '77']);
      expect(limit('Max file size')).toEqual(['1048576', '1048576']);
      expect(limit('Max cpu time')).toEqual(['30', '30']);
    },
  );
});
