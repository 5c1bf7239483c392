/**
 * The one path-containment check and the one config folder rule, alone: the
 * same `isInsideDir` and `defaultConfigDir` `@ironrun/core` exports, as a
 * separate entry for a caller that must not load the rest of core, such as
 * the guard hook that runs before every agent tool call.
 */
export { defaultConfigDir } from '@ironrun/policy/config-dir';
export { isInsideDir } from '@ironrun/policy/project-path';
