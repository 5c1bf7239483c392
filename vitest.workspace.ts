/**
 * The list of vitest projects: every package and app with its own
 * `vitest.config.ts`, plus the end-to-end attack suite.
 */
export const projects: string[] = [
  'packages/*/vitest.config.ts',
  'apps/*/vitest.config.ts',
  'examples/*/vitest.config.ts',
  'security*/vitest.config.ts',
];
