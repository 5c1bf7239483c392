export {
  createRedactor,
  type RedactionStream,
  type Redactor,
  type RedactorOptions,
} from './create-redactor.js';
export type { RedactionStats } from './redaction-stats.js';
export {
  isRedactorError,
  RedactorError,
  type RedactorErrorCode,
  type RedactorErrorOptions,
} from './redactor-error.js';
export { type SecretVariantsOptions, secretVariants } from './secret-variants.js';
export { type VariantKind, type VariantsOption, variantKinds } from './variant-kind.js';
