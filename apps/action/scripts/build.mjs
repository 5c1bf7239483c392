#!/usr/bin/env node
// `pnpm build` for the action: bundles src/ into dist/ (see bundle-action.mjs).
import { join } from 'node:path';
import { actionDir, bundleAction } from './bundle-action.mjs';

const files = await bundleAction(join(actionDir, 'dist'));
console.log(`action: bundled ${files.join(', ')} into dist/`);
