export type { ExampleOptions } from './example-options.js';
export { provider } from './provider.js';
