export {
  checkDeclaration,
  type DeclarationCheckOptions,
  testDeclaration,
} from './check-declaration.js';
export {
  type ProviderFixtures,
  type TestProviderOptions,
  testProvider,
} from './test-provider.js';
