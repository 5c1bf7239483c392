/**
 * The one path-containment check, the one config folder rule and the one
 * reading of the providers' session locations, alone: the same `isInsideDir`,
 * `defaultConfigDir` and `sessionLocationPaths` `@ironrun/core` exports, as a
 * separate entry for a caller that must not load the rest of core, such as
 * the guard hook that runs before every agent tool call.
 */
export { defaultConfigDir } from '@ironrun/policy/config-dir';
export { isInsideDir } from '@ironrun/policy/project-path';
export { type SessionLocationContext, sessionLocationPaths } from './session-locations.js';
