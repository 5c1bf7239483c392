import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Vitest global setup: rebuilds dist/ from the current source before the
 * tests run it, so they never test a stale bundle (the build is
 * deterministic; `check:dist` compares committed files, not this one).
 */
export function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: resolve(import.meta.dirname, '..'),
    stdio: 'inherit',
  });
}
