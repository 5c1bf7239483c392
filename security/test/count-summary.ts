// Global setup of the security project: gives the test files a folder to record how many
// attack and fuzz cases they ran, and prints the totals when the run ends.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    securityCountsDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ironrun-security-counts-'));
  project.provide('securityCountsDir', dir);
  return () => {
    let text = '';
    try {
      text = readFileSync(join(dir, 'counts'), 'utf8');
    } catch {
      // no file recorded a count
    }
    rmSync(dir, { recursive: true, force: true });
    const totals = new Map<string, number>();
    for (const line of text.split('\n')) {
      const [kind, count] = line.split(' ');
      if (kind && count) totals.set(kind, (totals.get(kind) ?? 0) + Number(count));
    }
    if (totals.size === 0) return;
    const attack = ['core', 'mcp', 'cli', 'action', 'broker'];
    const sum = (kinds: string[]) =>
      kinds.reduce((total, kind) => total + (totals.get(kind) ?? 0), 0);
    const parts = (kinds: string[]) =>
      kinds
        .filter((kind) => totals.has(kind))
        .map((kind) => `${kind} ${totals.get(kind)}`)
        .join(', ');
    const fuzz = [...totals.keys()].filter((kind) => kind.startsWith('fuzz-'));
    console.log(
      `security: ${sum(attack)} attack cases (${parts(attack)}), ${sum(fuzz)} fuzz cases (${parts(fuzz)})`,
    );
  };
}
