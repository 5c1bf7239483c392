import { packageBuild } from '../../tsup.base.ts';

// Node >= 20.19 (the engines floor) reads `with { type: 'json' }` on the built-in providers'
// package.json imports. esbuild keeps the attribute only for a node20.19 target, and the
// rollup tree-shaking pass would rewrite it to the deprecated `assert`, so esbuild alone
// shakes the bundle here.
// `./paths`: the one containment check and config folder rule alone, for the guard hook.
// `./provider-facts`, `./policy-reader` and `./broker`: what `ironrun agent` needs before the
// agent starts (the providers' declarations, the policy reader, a listening broker), without
// sandbox, redactor or the run pipeline.
// `./namespace-init`: the sandbox's namespace init alone, for the single-file binary.
// `./installed-package-file`: the sandbox's package locator alone, which the CLI's bundles load
// on first use (src/bundled-package.ts of @ironrun/cli).
// Splitting keeps one copy of each module shared by the entries and lets the broker load its
// pipeline (`broker-pipeline.ts`) as a chunk of its own, on demand.
export default packageBuild({
  entry: [
    'src/index.ts',
    'src/paths.ts',
    'src/provider-facts.ts',
    'src/policy-reader.ts',
    'src/broker.ts',
    'src/namespace-init.ts',
    'src/installed-package-file.ts',
  ],
  splitting: true,
  target: 'node20.19',
  treeshake: false,
});
