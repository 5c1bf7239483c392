export { testdir } from './testdir.js';
export type { TestDir, TestFile } from './testdir.js';
