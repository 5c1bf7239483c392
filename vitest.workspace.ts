import type { TestProjectConfiguration } from 'vitest/config';

/**
 * The list of vitest projects: every package and app with its own
 * `vitest.config.ts`, plus the end-to-end attack suite, plus the redactor's
 * suite run again on its TypeScript engine (the default one is WebAssembly).
 */
export const projects: TestProjectConfiguration[] = [
  'packages/*/vitest.config.ts',
  'apps/*/vitest.config.ts',
  'examples/*/vitest.config.ts',
  'security*/vitest.config.ts',
  'scripts/import-graph/vitest.config.ts',
  {
    extends: './packages/redactor/vitest.config.ts',
    root: './packages/redactor',
    test: {
      name: 'redactor (TypeScript engine)',
      setupFiles: ['./test/use-typescript-engine.ts'],
    },
  },
];
