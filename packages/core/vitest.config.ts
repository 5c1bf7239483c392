import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/through-spawner.ts'],
    // Spawning processes on a shared 2-core machine can be slow; a hang still fails.
    testTimeout: 30_000,
  },
});
