// Types of release.mjs, for the tests that import it.
export function releaseTags(): Promise<{
  version: string;
  tag: string;
  major: string;
  parsed: [number, number, number];
}>;
export function parseVersion(text: string): [number, number, number] | undefined;
export function checkReleaseCommit(commit: string, options: { clean: boolean }): Promise<string[]>;
