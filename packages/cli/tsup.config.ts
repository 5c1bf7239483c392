import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { build, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

import { packageBuild } from '../../tsup.base.ts';

// The library (`runCli`, ...), `./namespace-init` (the sandbox's namespace init alone, which
// the single-file binary checks before it loads the CLI) and the `ironrun` bin, whose
// `#!/usr/bin/env node` line esbuild keeps from src/cli.ts. Splitting keeps
// each command in its own chunk, so a command loads only what it needs.
//
// Then the guard hook, dist/guard.cjs, as one self-contained CommonJS file: Claude Code,
// Cursor and Gemini CLI run it before every tool call. One file instead of a chain of
// chunks, and CommonJS instead of an ES module, because both start measurably faster
// (`pnpm bench`; empty files start at 0.91× `node -e 0` as CommonJS, 1.06× as ES). It
// loads no citty, no MCP or vault SDK and not the validating policy reader; `yaml` and
// core only when its cache misses. In CommonJS, `require('node:fs')` hands over the
// built-in itself (an ES `import` of it builds a facade that reads every export, streams
// included), so the built-ins are plain `require`s. dist/guard.js, the entry `init` wrote
// before, is kept as a few lines that load dist/guard.cjs.
const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as { version: string };

// `ironrun run` as one file, dist/run.cjs (src/run-fast.ts), which cli.ts loads instead of the
// command table, with a V8 code cache (src/run-bundle.ts): @ironrun/core and every package of
// the run (policy, provider, redactor, sandbox, valibot, smol-toml, yaml) are bundled in, so
// Node compiles one file instead of loading and linking about forty modules, and no citty.
// CommonJS: built-ins come as they are, with no ES facade (an ES `import` of `crypto` or `fs`
// loads every submodule its exports name). The vendor providers stay packages, imported
// only when the policy names one. Each run is measured against Node starting alone
// (bench/run-overhead.bench.mjs).
// Three places in those packages find a file by where their own module is, or import one at
// run time: the sandbox's native init (`createRequire(import.meta.url)`), core's built-in
// providers (`import('@ironrun/providers-…')`) and a third-party provider's entry
// (`import(url)` in @ironrun/provider). From a bundle (dist/run.cjs, dist/agent.cjs) the first
// two would look beside it, where a strict layout (pnpm) has neither, and the sandbox would fall back to
// the Node init; the third needs the ES `import()` the loader hands in. Each is rewritten
// (src/bundled-package.ts); a build where one is not found as expected fails.
const cliRequire = createRequire(resolve('package.json'));
const coreDir = dirname(realpathSync(cliRequire.resolve('@ironrun/core/package.json')));
const sandboxDir = dirname(
  realpathSync(
    createRequire(join(coreDir, 'package.json')).resolve('@ironrun/sandbox/package.json'),
  ),
);
const bundledPackage = resolve('src/bundled-package.ts');
const providerDir = dirname(
  realpathSync(
    createRequire(join(coreDir, 'package.json')).resolve('@ironrun/provider/package.json'),
  ),
);
/**
 * The rewrites above, for one bundle: dist/run.cjs or dist/agent.cjs, CommonJS compiled by
 * src/run-bundle.ts, which also hands in `import()`, so a third-party provider's run-time
 * `import(url)` in @ironrun/provider goes through it.
 */
function installedLocations(bundle: string): Plugin {
  const rewrites = { sandboxUrl: 0, providerImports: 0, runtimeImports: 0 };
  return {
    name: 'installed-package-locations',
    setup(plugin) {
      plugin.onStart(() => {
        rewrites.sandboxUrl = 0;
        rewrites.providerImports = 0;
        rewrites.runtimeImports = 0;
      });
      plugin.onLoad({ filter: /[\\/]dist[\\/][^\\/]+\.js$/ }, (args) => {
        const inSandbox = args.path.startsWith(`${sandboxDir}${sep}`);
        const inCore = args.path.startsWith(`${coreDir}${sep}`);
        const inProvider = args.path.startsWith(`${providerDir}${sep}`);
        if (!inSandbox && !inCore && !inProvider) return undefined;
        let source = readFileSync(args.path, 'utf8');
        let count = 0;
        if (inProvider) {
          // import( followed by anything but a string literal: esbuild bundles the literal ones.
          source = source.replace(/\bimport\((?!\s*["'`])/g, () => {
            count++;
            return '__ironrunImport(';
          });
          rewrites.runtimeImports += count;
          return count === 0
            ? undefined
            : { contents: source, loader: 'js', resolveDir: dirname(args.path) };
        }
        if (inSandbox) {
          source = source.replace(/\bimport\.meta\.url\b/g, () => {
            count++;
            return '__ironrunPackageUrl(["@ironrun/core", "@ironrun/sandbox"])';
          });
          rewrites.sandboxUrl += count;
        } else {
          source = source.replace(
            /\bimport\((["'])(@ironrun\/providers-[a-z0-9-]+)\1\)/g,
            (_, _q, name: string) => {
              count++;
              return `__ironrunImportFrom(["@ironrun/core"], ${JSON.stringify(name)})`;
            },
          );
          rewrites.providerImports += count;
        }
        if (count === 0) return undefined;
        const helpers = `import { bundledPackageUrl as __ironrunPackageUrl, importFromBundledPackage as __ironrunImportFrom } from ${JSON.stringify(bundledPackage)};\n`;
        return { contents: helpers + source, loader: 'js', resolveDir: dirname(args.path) };
      });
      plugin.onEnd((result) => {
        if (result.errors.length > 0) return;
        if (
          rewrites.sandboxUrl === 0 ||
          rewrites.providerImports !== 4 ||
          rewrites.runtimeImports === 0
        )
          throw new Error(
            `${bundle}: expected import.meta.url in @ironrun/sandbox, four provider imports in @ironrun/core and a run-time import() in @ironrun/provider, found ${rewrites.sandboxUrl}, ${rewrites.providerImports} and ${rewrites.runtimeImports}; update installed-package-locations in tsup.config.ts`,
          );
      });
    },
  };
}

// What every one-file entry below shares: one file in dist/, beside the library's chunks
// (which the first build wrote and these leave in place), no declarations, no tsup.config.
const oneFile = {
  platform: 'node',
  outDir: 'dist',
  splitting: false,
  clean: false,
  dts: false,
  silent: true,
  config: false,
} satisfies Options;

// The packages `ironrun run`'s and `ironrun agent`'s single files carry inside them.
const bundledIntoEntry: NonNullable<Options['noExternal']> = [
  /^@ironrun\//,
  'valibot',
  '@valibot/to-json-schema',
  'smol-toml',
  'yaml',
];

export default packageBuild({
  // src/main.ts is an entry of its own so that dist/cli.cjs (the bin) can import dist/main.js.
  entry: [
    'src/index.ts',
    'src/cli.ts',
    'src/main.ts',
    'src/namespace-init.ts',
    'src/run-bundle.ts',
  ],
  splitting: true,
  async onSuccess() {
    // The guard itself: dist/guard.cjs.
    await build({
      entry: { guard: 'src/guard.ts' },
      format: ['cjs'],
      target: 'node20',
      ...oneFile,
      // Less to parse on every call; the source map keeps stack traces readable.
      minify: true,
      sourcemap: true,
      define: { __IRONRUN_CLI_VERSION__: JSON.stringify(version) },
      // The one containment check and config folder rule (core's `./paths`, policy's two small
      // entries) are bundled in, so the hook still loads no package on a cache hit; core
      // itself stays external, imported only on a cache miss.
      noExternal: [/^@ironrun\/core\/paths$/, /^@ironrun\/policy\/(?:project-path|config-dir)$/],
      esbuildOptions(options) {
        // `import()` of core and yaml stays an `import()`: both are ES modules.
        options.supported = { ...options.supported, 'dynamic-import': true };
      },
      removeNodeProtocol: false,
    });
    // The bin, dist/cli.cjs (src/cli-bin.ts): CommonJS, so Node starts it without its ES module
    // loader; src/run-bundle.ts is bundled in, and dist/cli.js and dist/main.js stay ES
    // modules it imports only for the command lines that need them.
    await build({
      entry: { cli: 'src/cli-bin.ts' },
      format: ['cjs'],
      target: 'node20',
      ...oneFile,
      minify: false,
      sourcemap: false,
      esbuildOptions(options) {
        options.supported = { ...options.supported, 'dynamic-import': true };
      },
    });
    // dist/guard.js, the entry older settings files name: it loads dist/guard.cjs.
    await build({
      entry: { guard: 'src/guard-esm.ts' },
      format: ['esm'],
      target: 'node20',
      ...oneFile,
      minify: false,
      sourcemap: false,
    });
    await build({
      entry: { run: 'src/run-fast.ts' },
      format: ['cjs'],
      target: 'node20',
      ...oneFile,
      minify: true,
      sourcemap: true,
      noExternal: bundledIntoEntry,
      esbuildPlugins: [installedLocations('dist/run.cjs')],
    });
    // Its code cache, made by a run of a trusted command (see scripts/train-run-cache.mjs).
    const training = spawnSync(process.execPath, ['scripts/train-run-cache.mjs'], {
      stdio: 'inherit',
    });
    if (training.status !== 0) throw new Error('dist/run.cjs: scripts/train-run-cache.mjs failed');
    // `ironrun agent` the same way (dist/agent.cjs, src/agent-fast.ts, with its code cache from
    // scripts/train-agent-cache.mjs): what runs before the agent starts is one file compiled
    // ahead, not citty, the command table and ~20 modules of five packages, nor an ES module
    // of 340 KB compiled on every start; the broker's pipeline, bundled in too, still loads (is
    // evaluated) only after the start.
    await build({
      entry: { agent: 'src/agent-fast.ts' },
      format: ['cjs'],
      target: 'node20',
      ...oneFile,
      minify: true,
      sourcemap: true,
      noExternal: bundledIntoEntry,
      esbuildPlugins: [installedLocations('dist/agent.cjs')],
    });
    const agentTraining = spawnSync(process.execPath, ['scripts/train-agent-cache.mjs'], {
      stdio: 'inherit',
    });
    if (agentTraining.status !== 0)
      throw new Error('dist/agent.cjs: scripts/train-agent-cache.mjs failed');
  },
});
