import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'providers-envfile',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
