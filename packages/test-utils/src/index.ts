export { builtinProviderReferences } from './builtin-provider-references.js';
export { countFileReads } from './count-file-reads.js';
export { installFixtureProvider } from './install-fixture-provider.js';
export { rejection } from './rejection.js';
export type { TestDir, TestFile } from './testdir.js';
export { testdir } from './testdir.js';
export { useTestdir } from './use-testdir.js';
