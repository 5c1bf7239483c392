export { type InfisicalOptions, parseInfisicalOptions } from './options.js';
export { provider } from './provider.js';
export { type InfisicalReference, parseInfisicalReference } from './reference.js';
