import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The build script the global setup runs. */
export const buildScript = fileURLToPath(new URL('../scripts/build-binary.mjs', import.meta.url));

/** `<os>-<arch>` of this machine, as the build script names its targets. */
export const hostTarget = `${process.platform}-${process.arch}`;

/** How to run a linux-arm64 binary on this machine with qemu-user, when it can. */
export interface Arm64Runner {
  /** `qemu-aarch64`. */
  qemu: string;
  /** The aarch64 root holding `lib/ld-linux-aarch64.so.1` and the C++ runtime (`-L`). */
  sysroot: string;
}

const qemuCandidates = ['/usr/bin/qemu-aarch64', '/usr/bin/qemu-aarch64-static'];
const sysrootCandidates = ['/usr/aarch64-linux-gnu'];

/**
 * qemu-user and an aarch64 sysroot (Debian: `qemu-user libc6-arm64-cross
 * libstdc++6-arm64-cross`), or why the linux-arm64 binary cannot run here.
 */
export function arm64Runner(): Arm64Runner | { missing: string } {
  if (hostTarget === 'linux-arm64') return { missing: 'this machine is linux-arm64 already' };
  if (process.platform !== 'linux') return { missing: 'qemu-user runs only on Linux' };
  const qemu = qemuCandidates.find((path) => existsSync(path));
  if (qemu === undefined) {
    return { missing: 'qemu-aarch64 is not installed (Debian package qemu-user)' };
  }
  const sysroot = sysrootCandidates.find(
    (dir) =>
      existsSync(`${dir}/lib/ld-linux-aarch64.so.1`) && existsSync(`${dir}/lib/libstdc++.so.6`),
  );
  if (sysroot === undefined) {
    return {
      missing:
        'no aarch64 C and C++ runtime in /usr/aarch64-linux-gnu (Debian packages libc6-arm64-cross libstdc++6-arm64-cross)',
    };
  }
  return { qemu, sysroot };
}
