import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'security',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/ablation-setup.ts'],
    globalSetup: ['./test/count-summary.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
