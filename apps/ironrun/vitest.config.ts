import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'ironrun-binary',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
