export { type DopplerOptions, parseDopplerOptions } from './options.js';
export { provider } from './provider.js';
export { type DopplerReference, parseDopplerReference } from './reference.js';
