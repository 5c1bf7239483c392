import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'providers-infisical',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
