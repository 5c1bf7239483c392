import { join } from 'node:path';
import { inject } from 'vitest';

/** The path of the binary the global setup (build-binaries.ts) built for `target`. */
export function binaryPath(target: string): string {
  return join(inject('binaryDir'), `ironrun-${target}`);
}
