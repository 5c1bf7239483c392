import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { packageBuild } from '../../tsup.base.ts';

// yaml is bundled into dist, from its own ES module build: as a package, Node
// loads it as 70-odd CommonJS files, which cost about three quarters of its
// share of every `ironrun run` and MCP server start (about 60 ms of CPU under
// load against 14 ms bundled; see packages/cli/bench/run-overhead.bench.mjs).
// The code is yaml's, unchanged; its ISC notice is kept as a legal comment at the end of dist/index.js.
const yamlDir = dirname(createRequire(resolve('package.json')).resolve('yaml/package.json'));
const yamlNotice = readFileSync(join(yamlDir, 'LICENSE'), 'utf8').trim();
const yamlAsEsm: Plugin = {
  name: 'yaml-esm-build',
  setup(build) {
    const entry = join(yamlDir, 'browser', 'index.js');
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: entry }));
    // A legal comment, which esbuild keeps: the notice lands in the one file that holds yaml.
    build.onLoad({ filter: /[\\/]yaml[\\/]browser[\\/]index\.js$/ }, (args) => ({
      contents: `/*! The yaml package (https://eemeli.org/yaml/) is bundled here:\n${yamlNotice}\n*/\n${readFileSync(args.path, 'utf8')}`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

// `./project-path` and `./config-dir`: the containment check and the config folder rule
// alone, for the guard hook, which bundles them and must not load the policy reader (yaml,
// valibot) on every agent tool call.
export default packageBuild({
  entry: ['src/index.ts', 'src/project-path.ts', 'src/config-dir.ts'],
  noExternal: ['yaml'],
  esbuildPlugins: [yamlAsEsm],
});
