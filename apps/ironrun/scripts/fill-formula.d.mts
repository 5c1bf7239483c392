/** Returns the formula text for the given release facts and artifact hashes; throws naming any placeholder without a value. */
export function fillFormula(template: string, facts: Record<string, string>): string;
