import { readFileSync } from 'node:fs';

/** The built-in providers, in the order the policy's messages list their schemes. */
const builtinNames = ['1password', 'doppler', 'infisical', 'envfile'] as const;

interface Declared {
  schemes: string[];
  references?: Record<string, { pattern: string; expected: string }>;
}

function declared(name: string): Declared {
  const url = new URL(`../../providers-${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { ironrun: Declared }).ironrun;
}

/**
 * What each built-in provider declares about its references, read from the `ironrun`
 * field of its own package.json (never a copy), as `@ironrun/core` hands it to the policy
 * package: for policy tests, which may not import core.
 */
export const builtinProviderReferences: Readonly<Record<string, Declared>> = Object.freeze(
  Object.fromEntries(builtinNames.map((name) => [name, declared(name)])),
);
