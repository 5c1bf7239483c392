import { packageBuild } from '../../tsup.base.ts';

// Node >= 20.19 (the engines floor) reads `with { type: 'json' }` on the built-in providers'
// package.json imports. esbuild keeps the attribute only for a node20.19 target, and the
// rollup tree-shaking pass would rewrite it to the deprecated `assert`, so esbuild alone
// shakes the bundle here.
// `./paths`: the one containment check and config folder rule alone, for the guard hook.
export default packageBuild({
  entry: ['src/index.ts', 'src/paths.ts'],
  target: 'node20.19',
  treeshake: false,
});
