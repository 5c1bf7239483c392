// Types of check-dist.mjs, for the tests that import it.
export function compareDist(fresh: Map<string, Buffer>, committed: Map<string, Buffer>): string[];
export function readDistDir(dir: string): Promise<Map<string, Buffer>>;
export function readCommittedDist(dir?: string): Map<string, Buffer>;
