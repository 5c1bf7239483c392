import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'provider-plugin',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
