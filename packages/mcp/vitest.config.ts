import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mcp',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Spawning processes on a shared 2-core machine can be slow; a hang still fails.
    testTimeout: 30_000,
  },
});
