import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { arm64Runner, buildScript, hostTarget } from './binary-path.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder the global setup built the binaries into. */
    binaryDir: string;
  }
}

/**
 * Global setup: builds the host binary (and linux-arm64 when qemu-user can
 * run it) from the packages' current dist/ into a folder of this run's own,
 * so the tests never run a stale binary or one another run is rewriting.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ironrun-binary-build-'));
  project.provide('binaryDir', dir);
  if (process.platform === 'linux' || process.platform === 'darwin') {
    const targets = [hostTarget];
    if ('qemu' in arm64Runner()) targets.push('linux-arm64');
    execFileSync(
      process.execPath,
      [buildScript, '--targets', targets.join(','), '--out-dir', dir],
      { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
    );
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
