export { defaultConfigDir } from './config-dir.js';
export { type DiffLine, diffLines } from './line-diff.js';
export {
  type LoadPolicyOptions,
  loadPolicy,
  type PolicyFile,
  policyFileChanged,
  policyFileProvider,
  readPolicyFile,
  validatePolicyFile,
} from './load-policy.js';
export { loaderEnvReason } from './loader-env.js';
export {
  defaultProgramPath,
  type PinNote,
  type PinPlan,
  type PinReason,
  type PlannedPin,
  plannedPinKey,
  planPins,
} from './pin-plan.js';
export { pinStates } from './pin-state.js';
export { pinnedFiles } from './pinned-files.js';
export type {
  EnvValue,
  ParsePolicyOptions,
  Policy,
  PolicyArgs,
  PolicyCommand,
  PolicyLimits,
  PolicyValidation,
  ProviderReferenceMap,
  ProviderReferences,
  ReferenceOptions,
} from './policy.js';
export {
  formatIssues,
  invalidPolicyError,
  isPolicyError,
  PolicyError,
  type PolicyErrorCode,
  type PolicyErrorOptions,
  type PolicyIssue,
  type PolicyIssueCode,
} from './policy-error.js';
export { policyJsonSchema } from './policy-schema.js';
export { isInsideDir } from './project-path.js';
export {
  isInsideDirEitherWay,
  isInsideRealDir,
  isInsideRealDirSync,
} from './real-containment.js';
export {
  type CommandReview,
  type PolicyReview,
  type ReviewEnv,
  type ReviewField,
  type ReviewPin,
  type ReviewPolicyOptions,
  reviewPolicy,
} from './review-policy.js';
export { type ReviewPolicyFileOptions, reviewPolicyFile } from './review-policy-file.js';
export {
  escapeForReview,
  type ReviewFlag,
  type ReviewText,
  unescapeReviewText,
} from './review-text.js';
export {
  type CheckTrustOptions,
  checkTrust,
  type TrustChange,
  type TrustChangeReason,
  type TrustCheck,
  type TrustOptions,
  trust,
  type VerifiedPin,
} from './trust.js';
export type { TrustedFile, TrustedListingEntry, TrustRecord } from './trust-store.js';
export { validateArgs } from './validate-args.js';
export { parsePolicy, validatePolicy } from './validate-policy.js';
export { writeFolderProblem } from './write-folder.js';
