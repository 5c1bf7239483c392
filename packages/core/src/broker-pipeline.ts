/**
 * What the broker runs for a request: the one pipeline. Loaded on demand by
 * `broker-server.ts` (on the first request, or when warmed), so that
 * `ironrun agent` can start listening and start the agent before policy,
 * sandbox and redactor are loaded.
 */
export { createSealedSpawner } from '@ironrun/sandbox';
export { listCommands } from './list-commands.js';
export { loadTrustedPolicy } from './load-trusted-policy.js';
export { runSealed } from './run-sealed.js';
