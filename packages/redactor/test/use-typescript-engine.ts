// Setup file of the `redactor (TypeScript engine)` vitest project: the whole redactor suite runs
// a second time without WebAssembly, as on a runtime that has none.
import { defaultEngine } from '../src/create-redactor.js';

defaultEngine.current = 'js';
