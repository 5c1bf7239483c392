import { packageBuild } from '../../tsup.base.ts';

// `./project-path` and `./config-dir`: the containment check and the config folder rule
// alone, for the guard hook, which bundles them and must not load the policy reader (yaml,
// valibot) on every agent tool call.
export default packageBuild({
  entry: ['src/index.ts', 'src/project-path.ts', 'src/config-dir.ts'],
});
