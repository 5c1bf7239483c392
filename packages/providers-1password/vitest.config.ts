import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'providers-1password',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
