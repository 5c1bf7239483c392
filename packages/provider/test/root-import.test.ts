import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '../src');

/** The bare and relative modules statically imported by `file` and everything it imports. */
function importGraph(
  file: string,
  seen = new Set<string>(),
): { files: Set<string>; bare: Set<string> } {
  const bare = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) {
      const spec = match[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(path), spec.replace(/\.js$/, '.ts')));
      else bare.add(spec);
    }
  };
  visit(file);
  return { files: seen, bare };
}

describe('@ironrun/provider root entry', () => {
  it('imports only node: built-ins, never vitest or the testing kit', () => {
    const { files, bare } = importGraph(join(src, 'index.ts'));
    expect([...bare].filter((spec) => !spec.startsWith('node:'))).toEqual([]);
    expect([...files].some((file) => file.includes(`${join(src, 'testing')}`))).toBe(false);
    expect(files.size).toBeGreaterThan(5);
  });

  it('keeps vitest to the testing entry', () => {
    expect(importGraph(join(src, 'testing/index.ts')).bare.has('vitest')).toBe(true);
  });
});
