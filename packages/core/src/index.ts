// From the packages core composes, so the CLI and the Action reach them through core alone.
export type {
  PinPlan,
  Policy,
  PolicyCommand,
  PolicyErrorCode,
  PolicyReview,
  ReviewText,
  TrustCheck,
  TrustedFile,
} from '@ironrun/policy';
export {
  checkTrust,
  defaultConfigDir,
  defaultProgramPath,
  escapeForReview,
  isInsideDir,
  isInsideRealDir,
  parsePolicy,
  pinnedFiles,
  pinStates,
  plannedPinKey,
  planPins,
  reviewPolicyFile,
  trust,
} from '@ironrun/policy';
export type {
  CredentialVariable,
  PolicyTemplate,
  ProviderDeclaration,
  ProviderErrorCode,
  ReferenceSyntax,
  SecretFile,
  SessionLocation,
} from '@ironrun/provider';
export {
  loadProvider,
  providerPackageFiles,
  resolveProviderPackage,
  resolveWithTimeout,
} from '@ironrun/provider';
export type { Redactor, RedactorErrorCode } from '@ironrun/redactor';
export { createRedactor } from '@ironrun/redactor';
export type { IsolationReport, SandboxErrorCode, SealedSpawner } from '@ironrun/sandbox';
export { createSealedSpawner, installedPackageFile, probeIsolation } from '@ironrun/sandbox';
export type { BrokerClient, BrokerRunOptions } from './broker-client.js';
export { connectBroker } from './broker-client.js';
export type { BrokerMessage, ClientMessage } from './broker-protocol.js';
export { brokerProtocolVersion } from './broker-protocol.js';
export type { BrokerHandle, BrokerOptions } from './broker-server.js';
export { startBroker } from './broker-server.js';
export type { IronrunErrorCode, IronrunErrorOptions } from './ironrun-error.js';
export { IronrunError, isIronrunError } from './ironrun-error.js';
export type { CommandSummary } from './list-commands.js';
export { listCommands } from './list-commands.js';
export type { LoadTrustedPolicyOptions } from './load-trusted-policy.js';
export { loadTrustedPolicy } from './load-trusted-policy.js';
export type { ProviderFactsOptions, SessionLocationContext } from './provider-facts.js';
export {
  builtinProviderDeclarations,
  credentialVariables,
  declaredCredentialVariables,
  isBuiltinProvider,
  isCredentialVariable,
  providerDeclaration,
  secretFileLocations,
  sessionLocationPaths,
} from './provider-facts.js';
export type {
  PolicyFileValidation,
  ReadPolicyOptions,
} from './read-policy-with-provider-schemes.js';
export {
  readPolicyWithProviderSchemes,
  validatePolicyWithProviderSchemes,
} from './read-policy-with-provider-schemes.js';
export type {
  ReferenceUse,
  ResolvedReference,
  ResolvePolicySecretsOptions,
} from './resolve-command-secrets.js';
export { resolvePolicySecrets } from './resolve-command-secrets.js';
export type { ConfirmRequest, RunResult, RunSealedOptions } from './run-sealed.js';
export { runSealed } from './run-sealed.js';
export type { AgentCommand } from './to-agent-command.js';
export { toAgentCommand } from './to-agent-command.js';
export type { AgentResult } from './to-agent-result.js';
export { toAgentResult } from './to-agent-result.js';
export type { TruncatedText } from './truncate-middle.js';
export { cutMarker, truncateMiddle } from './truncate-middle.js';
