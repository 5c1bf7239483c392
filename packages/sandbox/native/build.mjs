#!/usr/bin/env node
// Builds the native init for one architecture into <outdir>/ironrun-init:
//   node build.mjs <x64|arm64> <outdir>
// A static executable (no loader, no libc to find inside the sandbox).
// - For the machine's own architecture, against musl (Debian's musl-tools,
//   `musl-gcc`): the init is exec'd once per sealed run, and a static glibc
//   program spends about 0.3 ms starting (CPU feature probing, which traps
//   on a VM, and its relocations) where a musl one spends next to nothing:
//   median exec of an empty main here 1.29 ms (glibc, static) against 0.95
//   ms (musl), 0.93 ms for a program of no libc at all. Debian's musl ships
//   no start file for static PIE, so this one is a static executable at a
//   fixed address (see the sandbox README). Where musl-gcc is missing, gcc
//   and glibc (static PIE) are used, with a line saying so: as safe, slower.
//   .ci/run installs musl-tools.
// - For the other architecture, Debian's cross compiler
//   (gcc-aarch64-linux-gnu / gcc-x86-64-linux-gnu) and its glibc, static PIE.
// A missing compiler fails the build, naming the Debian package to install;
// set IRONRUN_NATIVE_OPTIONAL=1 to skip instead (the Node init is then used).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [arch, outdir = 'dist'] = process.argv.slice(2);
const compilers = {
  x64: { native: 'x64', cross: 'x86_64-linux-gnu-gcc', debian: 'gcc-x86-64-linux-gnu' },
  arm64: {
    native: 'arm64',
    cross: 'aarch64-linux-gnu-gcc',
    debian: 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross',
  },
};
const target = compilers[arch];
if (target === undefined) {
  console.error(`build.mjs: unknown architecture ${arch} (x64 or arm64)`);
  process.exit(2);
}
const source = join(import.meta.dirname, 'ironrun-init.c');
const out = resolve(outdir);
const native = process.platform === 'linux' && process.arch === target.native;
const file = join(out, 'ironrun-init');
const warnings = ['-O2', '-Wall', '-Wextra', '-Werror'];

/** Whether `command` runs (`--version`). */
function installed(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * musl's own headers, then the kernel's (linux/, asm/, asm-generic/ of Debian's linux-libc-dev)
 * and nothing else of glibc's: a folder of links to those three, made for this build.
 */
function kernelHeaders() {
  const folder = mkdtempSync(join(tmpdir(), 'ironrun-kernel-headers-'));
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[arch];
  for (const [name, path] of [
    ['linux', '/usr/include/linux'],
    ['asm-generic', '/usr/include/asm-generic'],
    ['asm', `/usr/include/${multiarch}/asm`],
  ]) {
    if (!existsSync(path)) throw Object.assign(new Error(`${path} is missing`), { headers: true });
    symlinkSync(path, join(folder, name));
  }
  return folder;
}

const musl = native && installed('musl-gcc');
const compiler = musl ? 'musl-gcc' : native ? 'gcc' : target.cross;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let headers;
try {
  if (musl) {
    headers = kernelHeaders();
    execFileSync(
      compiler,
      [...warnings, '-isystem', headers, '-static', '-s', '-o', file, source],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } else {
    if (native) {
      console.warn(
        'build.mjs: musl-gcc is not installed (Debian: apt-get install musl-tools); building with gcc and glibc, whose start costs each sealed run about 0.3 ms more',
      );
    }
    execFileSync(compiler, [...warnings, '-static-pie', '-s', '-o', file, source], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
} catch (error) {
  const missing = error.code === 'ENOENT';
  const why = error.headers
    ? `the kernel headers are not installed (Debian: apt-get install linux-libc-dev): ${error.message}`
    : missing
      ? `${compiler} is not installed (Debian: apt-get install ${compiler === 'gcc' ? 'gcc' : target.debian})`
      : `${compiler} failed`;
  if (missing && process.env.IRONRUN_NATIVE_OPTIONAL === '1') {
    console.warn(`build.mjs: skipped the linux-${arch} native init: ${why}`);
    process.exit(0);
  }
  console.error(`build.mjs: cannot build the linux-${arch} native init: ${why}`);
  process.exit(1);
} finally {
  if (headers !== undefined) rmSync(headers, { recursive: true, force: true });
}
chmodSync(file, 0o755);
console.log(
  `build.mjs: built ${file} with ${compiler}${musl ? ' (musl, static)' : ' (glibc, static PIE)'}`,
);
