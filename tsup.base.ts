import { defineConfig, type Options } from 'tsup';

/**
 * The one build configuration every package extends: ESM only, `.d.ts`,
 * Node 20 target, no bundling of dependencies.
 */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
