export {
  type ProviderFixtures,
  type TestProviderOptions,
  testProvider,
} from './test-provider.js';
