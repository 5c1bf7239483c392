import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** Records that this file ran `count` cases of `kind` (`core`, `mcp`, `cli`, `action`, `fuzz-…`); the global setup prints the totals. */
export function recordCount(kind: string, count: number): void {
  appendFileSync(join(inject('securityCountsDir'), 'counts'), `${kind} ${count}\n`);
}
