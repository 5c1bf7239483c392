#!/usr/bin/env node
// Builds the native init for one architecture into <outdir>/ironrun-init:
//   node build.mjs <x64|arm64> <outdir>
// A static executable (no loader, no libc to find inside the sandbox), with
// Debian's gcc for the machine's own architecture and the cross compiler
// (gcc-aarch64-linux-gnu / gcc-x86-64-linux-gnu) for the other. A missing
// compiler fails the build, naming the Debian package to install; set
// IRONRUN_NATIVE_OPTIONAL=1 to skip instead (the Node init is then used).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
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
const compiler =
  process.platform === 'linux' && process.arch === target.native ? 'gcc' : target.cross;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const file = join(out, 'ironrun-init');
try {
  execFileSync(
    compiler,
    ['-O2', '-Wall', '-Wextra', '-Werror', '-static-pie', '-s', '-o', file, source],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
} catch (error) {
  const missing = error.code === 'ENOENT';
  const why = missing
    ? `${compiler} is not installed (Debian: apt-get install ${compiler === 'gcc' ? 'gcc' : target.debian})`
    : `${compiler} failed`;
  if (missing && process.env.IRONRUN_NATIVE_OPTIONAL === '1') {
    console.warn(`build.mjs: skipped the linux-${arch} native init: ${why}`);
    process.exit(0);
  }
  console.error(`build.mjs: cannot build the linux-${arch} native init: ${why}`);
  process.exit(1);
}
chmodSync(file, 0o755);
console.log(`build.mjs: built ${file} with ${compiler}`);
