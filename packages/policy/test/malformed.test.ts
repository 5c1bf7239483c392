import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinProviderReferences } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { isPolicyError, type PolicyError, parsePolicy } from '../src/index.js';

const folder = join(import.meta.dirname, 'malformed');
// Fixtures are named *.policy.txt, not *.yml, so no formatter or linter "fixes" their mistakes.
const fixtures = readdirSync(folder)
  .filter((name) => name.endsWith('.policy.txt'))
  .map((name) => name.replace(/\.policy\.txt$/, '.yml'))
  .sort();

function errorOf(name: string): PolicyError {
  try {
    parsePolicy(readFileSync(join(folder, name.replace(/\.yml$/, '.policy.txt')), 'utf8'), {
      filename: name,
      providers: builtinProviderReferences,
    });
  } catch (error) {
    if (isPolicyError(error)) return error;
    throw error;
  }
  throw new Error(`${name} parsed without an error`);
}

describe('parsePolicy on malformed policies', () => {
  it('has at least 15 malformed fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of fixtures) {
    it(`reports ${name} compiler-style, with line and column`, async () => {
      const error = errorOf(name);
      expect(error.code).toBe('INVALID_POLICY');
      const [header, ...lines] = error.message.split('\n');
      expect(header).toMatch(new RegExp(`^invalid policy ${name} \\(\\d+ problems?\\):$`));
      expect(lines).toHaveLength(error.issues.length);
      for (const line of lines) expect(line).toMatch(new RegExp(`^${name}:\\d+:\\d+: \\S`));
      expect(error.message).not.toMatch(/\n\s+at /);
      await expect(`${error.message}\n`).toMatchFileSnapshot(
        join(folder, name.replace(/\.yml$/, '.errors.txt')),
      );
    });
  }
});
