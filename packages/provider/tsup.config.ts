import { packageBuild } from '../../tsup.base.ts';

// Two entries share the error class through a common chunk (splitting), so a
// ProviderError thrown by the kit is the same class as the one from the root entry.
export default packageBuild({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  splitting: true,
});
