import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'providers-doppler',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
