import { describe, it } from 'vitest';
import type { ProviderDefinition } from '../define-provider.js';
import { type ProviderDeclaration, parseProviderDeclaration } from '../provider-declaration.js';

/** Options of {@link testDeclaration} and {@link checkDeclaration}. */
export interface DeclarationCheckOptions {
  /** The provider package's parsed package.json (its `ironrun` field is checked). */
  manifest: { ironrun?: unknown };
  /** The provider's definition: its `schemes` must equal the declared ones. */
  definition: Pick<ProviderDefinition<unknown>, 'schemes'>;
  /** References the provider resolves: each must match its scheme's declared syntax. */
  valid: readonly string[];
  /** References the provider refuses: each must fail its scheme's declared syntax. @default [] */
  invalid?: readonly string[];
}

function matches(declaration: ProviderDeclaration, ref: string): boolean {
  const at = ref.indexOf('://');
  const scheme = at > 0 ? ref.slice(0, at) : '';
  if (!declaration.schemes.includes(scheme)) return false;
  const syntax = declaration.references[scheme];
  return syntax === undefined
    ? ref.length > at + 3
    : new RegExp(`^(?:${syntax.pattern})$`).test(ref);
}

/**
 * Checks a provider package's declaration against its definition and its own references, and
 * returns the problems found (none: an empty list): the `ironrun` field parses, its schemes
 * are the definition's, every `valid` reference matches the declared syntax (the policy would
 * otherwise refuse it before the provider sees it) and every `invalid` one does not.
 *
 * @example
 * expect(checkDeclaration({ manifest, definition: provider, valid: ['vault://db#password'] })).toEqual([]);
 */
export function checkDeclaration(options: DeclarationCheckOptions): string[] {
  let declaration: ProviderDeclaration;
  try {
    declaration = parseProviderDeclaration(
      options.manifest.ironrun,
      (what) => new Error(`the package ${what}`),
    );
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const declared = [...declaration.schemes].sort().join(', ');
  const defined = [...options.definition.schemes].sort().join(', ');
  if (declared !== defined) {
    problems.push(`the declared schemes (${declared}) are not the definition's (${defined})`);
  }
  for (const ref of options.valid) {
    if (!matches(declaration, ref)) problems.push(`${ref} does not match the declared syntax`);
  }
  for (const ref of options.invalid ?? []) {
    if (matches(declaration, ref)) problems.push(`${ref} matches the declared syntax`);
  }
  return problems;
}

/**
 * Registers a vitest `describe` block that runs {@link checkDeclaration} and fails with the
 * problems it finds. Call it once at the top level of a test file, beside `testProvider`.
 *
 * @example
 * import manifest from '../package.json' with { type: 'json' };
 * testDeclaration({ manifest, definition: provider, valid: ['vault://db#password'], invalid: ['vault://'] });
 */
export function testDeclaration(options: DeclarationCheckOptions): void {
  describe('the package.json declaration', () => {
    it('parses, claims the definition schemes and matches the provider references', () => {
      const problems = checkDeclaration(options);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    });
  });
}
