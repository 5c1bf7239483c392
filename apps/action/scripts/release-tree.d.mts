// Types of release-tree.mjs, for the tests that import it.
export const repoRoot: string;
export const distPath: string;
export function repositoryFiles(root?: string): string[];
export function layOutReleaseTree(dir: string, options?: { root?: string }): Promise<string[]>;
export function listTree(dir: string): Promise<string[]>;
