import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'redactor',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
