export { type AbortableOptions, abortable } from './abortable.js';
export {
  createDeadline,
  type Deadline,
  type DeadlineSignal,
  startDeadline,
} from './deadline.js';
export {
  defineProvider,
  type ProviderContext,
  type ProviderDefinition,
} from './define-provider.js';
export { groupReferences, type ReferenceGroup } from './group-references.js';
export { type LoadProviderOptions, loadProvider } from './load-provider.js';
export { type OptionCheck, type OptionReader, optionReader } from './option-reader.js';
export {
  type CredentialVariable,
  type DeclarationProblem,
  type PolicyTemplate,
  type ProviderDeclaration,
  parseProviderDeclaration,
  type ReferenceSyntax,
  type SecretFile,
  type SessionLocation,
} from './provider-declaration.js';
export {
  isProviderError,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
  resolvedAfterDispose,
} from './provider-error.js';
export {
  type ProviderPackageFilesOptions,
  providerPackageFiles,
} from './provider-package-files.js';
export { isProviderPackageName } from './provider-package-name.js';
export {
  type BuiltinProvider,
  createProviderRegistry,
  type ProviderRegistry,
  type ProviderRegistryOptions,
  type RegistryLookup,
} from './provider-registry.js';
export {
  type ReadProviderSchemesOptions,
  readProviderDeclaration,
  readProviderSchemes,
} from './read-provider-schemes.js';
export {
  type ProviderPackage,
  type ResolveProviderPackageOptions,
  resolveProviderPackage,
} from './resolve-provider-package.js';
export { type ResolveWithTimeoutOptions, resolveWithTimeout } from './resolve-with-timeout.js';
export type { ResolveContext, ResolveResult, SecretProvider } from './secret-provider.js';
export { type WithDeadlineOptions, withDeadline } from './with-deadline.js';
