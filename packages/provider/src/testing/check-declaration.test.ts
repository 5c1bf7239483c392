import { describe, expect, it } from 'vitest';
import { checkDeclaration } from './check-declaration.js';

const manifest = {
  ironrun: {
    schemes: ['vault'],
    references: { vault: { pattern: 'vault://[a-z]+', expected: 'vault://name' } },
  },
};

describe('checkDeclaration', () => {
  it('finds nothing wrong with a declaration that fits its provider', () => {
    expect(
      checkDeclaration({
        manifest,
        definition: { schemes: ['vault'] },
        valid: ['vault://db'],
        invalid: ['vault://DB', 'op://a/b/c'],
      }),
    ).toEqual([]);
  });

  // Each is a declaration that would make the policy refuse a good reference or pass a bad one.
  it.each([
    [
      'no ironrun field',
      { manifest: {}, definition: { schemes: ['vault'] }, valid: [] },
      /declare/,
    ],
    [
      'schemes other than the definition',
      { manifest, definition: { schemes: ['vault', 'kv'] }, valid: [] },
      /not the definition's \(kv, vault\)/,
    ],
    [
      'a reference the provider resolves but the syntax refuses',
      { manifest, definition: { schemes: ['vault'] }, valid: ['vault://db-1'] },
      /vault:\/\/db-1 does not match/,
    ],
    [
      'a reference the provider refuses but the syntax passes',
      { manifest, definition: { schemes: ['vault'] }, valid: [], invalid: ['vault://db'] },
      /vault:\/\/db matches/,
    ],
  ])('reports %s', (_what, options, problem) => {
    const problems = checkDeclaration(options);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});
