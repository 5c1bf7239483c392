/**
 * The policy reader alone: the same `parsePolicy` `@ironrun/core` exports, as
 * a separate entry for a caller that must read a policy before anything else
 * of core is needed (`ironrun agent` finding the envfiles to hide before the
 * agent starts), without loading sandbox, redactor or the run pipeline.
 */
export type { Policy } from '@ironrun/policy';
export { parsePolicy } from '@ironrun/policy';
