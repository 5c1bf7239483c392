export type { EnvfileOptions } from './envfile-options.js';
export { provider } from './provider.js';
