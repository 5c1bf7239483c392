#!/usr/bin/env node
// Builds the single-file `ironrun` executable as a Node single executable
// application (SEA):
//   1. bundle @ironrun/cli (and everything it imports) into one CommonJS file with esbuild;
//   2. turn it into a SEA blob with `node --experimental-sea-config`;
//   3. copy a Node binary of the target platform and inject the blob with postject.
// Target Node binaries come from the npm registry's `node-<platform>` packages
// (or, for the host platform at the same version, the running node itself).
//
// usage: node scripts/build-binary.mjs [--targets linux-x64,linux-arm64,darwin-x64] [--node-version 20.20.2] [--no-strip]
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const appDir = resolve(import.meta.dirname, '..');
const outDir = join(appDir, 'build');
const require = createRequire(import.meta.url);

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: `${process.platform}-${process.arch}` },
    'node-version': { type: 'string', default: process.versions.node },
    strip: { type: 'boolean', default: true },
    'no-strip': { type: 'boolean', default: false },
  },
});
const targets = values.targets
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const nodeVersion = values['node-version'];
const strip = values.strip && !values['no-strip'];

const cliPkgPath = require.resolve('@ironrun/cli/package.json');
const cliPkg = JSON.parse(readFileSync(cliPkgPath, 'utf8'));
const cliEntry = join(dirname(cliPkgPath), 'dist', 'cli.js');
if (!existsSync(cliEntry)) {
  console.error(`build-binary: ${cliEntry} is missing; build @ironrun/cli first (pnpm build)`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
const bundle = join(outDir, 'ironrun.cjs');
await build({
  entryPoints: [cliEntry],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
  // ESM code reads import.meta.url; in the CommonJS bundle it is the bundle's own URL.
  define: {
    'import.meta.url': '__ironrun_import_meta_url',
    'import.meta.dirname': '__dirname',
    'import.meta.filename': '__filename',
  },
  banner: {
    js: [
      `const __ironrun_import_meta_url = require('node:url').pathToFileURL(__filename).href;`,
      `globalThis.__IRONRUN_BINARY__ = ${JSON.stringify({ version: cliPkg.version })};`,
    ].join('\n'),
  },
  // The shebang of dist/cli.js is not valid inside a SEA main script.
  plugins: [
    {
      name: 'strip-shebang',
      setup(b) {
        b.onLoad({ filter: /cli\.js$/ }, (args) => ({
          contents: readFileSync(args.path, 'utf8').replace(/^#!.*\n/, ''),
          loader: 'js',
        }));
      },
    },
  ],
});

const blob = join(outDir, 'sea-prep.blob');
const seaConfig = join(outDir, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
    useSnapshot: false,
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

function nodeBinaryFor(target) {
  if (target === `${process.platform}-${process.arch}` && nodeVersion === process.versions.node) {
    return process.execPath;
  }
  const cache = join(outDir, 'node-cache', `${target}-${nodeVersion}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(cache, { recursive: true });
    // From the npm registry only: `node-<platform>-<arch>` ships the official binary.
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

const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
const built = [];
for (const target of targets) {
  const [os] = target.split('-');
  const out = join(outDir, `ironrun-${target}`);
  rmSync(out, { force: true });
  copyFileSync(nodeBinaryFor(target), out);
  chmodSync(out, 0o755);
  if (strip && os === 'linux' && target === `${process.platform}-${process.arch}`) {
    try {
      execFileSync('strip', ['--strip-all', out]);
    } catch {
      console.warn(`build-binary: strip unavailable; ${target} left unstripped`);
    }
  }
  const args = [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
  if (os === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  built.push(out);
  console.log(
    `build-binary: ${out}${os === 'darwin' ? ' (unsigned: sign it with codesign on macOS)' : ''}`,
  );
}
if (targets.includes(`${process.platform}-${process.arch}`)) {
  copyFileSync(
    join(outDir, `ironrun-${process.platform}-${process.arch}`),
    join(outDir, 'ironrun'),
  );
  chmodSync(join(outDir, 'ironrun'), 0o755);
}
