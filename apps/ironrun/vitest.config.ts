import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'ironrun-binary',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/build-binaries.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
