import { defineConfig } from 'vitest/config';
import { SummaryLineReporter } from './scripts/summary-line-reporter.ts';
import { projects } from './vitest.workspace.ts';

export default defineConfig({
  test: {
    projects,
    reporters: ['default', new SummaryLineReporter()],
  },
});
