export {
  type OnePasswordMode,
  type OnePasswordOptions,
  parseOnePasswordOptions,
} from './options.js';
export { provider } from './provider.js';
export { type OnePasswordReference, parseOnePasswordReference } from './reference.js';
