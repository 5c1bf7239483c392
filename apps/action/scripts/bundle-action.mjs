// Bundles the action into one ES module, dist/index.js, with every dependency
// inlined, so `uses: <owner>/ironrun@v1` runs without an install step. Shared
// by build.mjs (writes dist/) and check-dist.mjs (writes a temp dir and compares).
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';

import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

export const actionDir = resolve(import.meta.dirname, '..');

// The output is ESM (the bundled ironrun packages are ESM and may use
// import.meta.url). CommonJS dependencies inside (@actions/core, vendor SDKs)
// still call require() and read __dirname; these give them the real ones of
// dist/index.js. Unusual names, then `define`, so no bundled module's own
// top-level `__dirname` or `require` can collide with them.
const banner = [
  "import { createRequire as __ironrunCreateRequire } from 'node:module';",
  "import { fileURLToPath as __ironrunFileURLToPath } from 'node:url';",
  "import { dirname as __ironrunDirname } from 'node:path';",
  'const require = __ironrunCreateRequire(import.meta.url);',
  'const __ironrunFilename = __ironrunFileURLToPath(import.meta.url);',
  'const __ironrunDirnameValue = __ironrunDirname(__ironrunFilename);',
].join('\n');

/**
 * Files a bundled package reads at run time from next to its own code
 * (`__dirname`), which therefore must sit next to dist/index.js. The
 * 1Password SDK loads its WebAssembly core this way.
 */
const runtimeAssets = [{ module: '@1password/sdk-core/nodejs/core.js', file: 'core_bg.wasm' }];

/**
 * Builds the action into `outdir` (emptied first) and returns the list of
 * files written, relative to it.
 */
export async function bundleAction(outdir, { external = [] } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: actionDir,
    entryPoints: ['src/main.ts'],
    outfile: join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: banner },
    define: { __dirname: '__ironrunDirnameValue', __filename: '__ironrunFilename' },
    legalComments: 'eof',
    minify: false,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    external,
  });
  const files = ['index.js'];
  const inputs = Object.keys(result.metafile.inputs);
  for (const asset of runtimeAssets) {
    const input = inputs.find((path) =>
      path.replaceAll('\\', '/').endsWith(`node_modules/${asset.module}`),
    );
    if (input === undefined) continue;
    await copyFile(join(dirname(resolve(actionDir, input)), asset.file), join(outdir, asset.file));
    files.push(asset.file);
  }
  // dist/ describes itself: the bundle is an ES module wherever it is copied.
  await writeFile(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
  files.push('package.json');
  return files.sort();
}
