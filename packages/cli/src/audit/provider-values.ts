import { readFile } from 'node:fs/promises';
import type { Policy } from '@ironrun/core';

/** A name in a dotenv file: `NAME=…` or `export NAME=…` at the start of a line. */
const dotenvName = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=/gm;

/**
 * Every value the policy's provider can return, as `{ ref, value }`, for
 * `audit`: for the envfile provider, every `NAME=` line of the envfile,
 * resolved through the provider itself as `envfile://NAME` (so values read
 * exactly as a run reads them). Other providers cannot list their secrets:
 * `[]`. Call it only for a trusted policy: it reads everything the envfile
 * holds, and audit then says which files hold any of it.
 */
export async function providerValues(
  policy: Policy,
  options: { env: Readonly<Record<string, string | undefined>>; configDir: string },
): Promise<{ ref: string; value: string }[]> {
  const { providerDeclaration, resolvePolicySecrets, secretFileLocations } = await import(
    '@ironrun/core'
  );
  const declaration = await providerDeclaration(policy.provider.name, { projectDir: policy.dir });
  // Only a provider whose secrets are a file it names (the envfile) can list them.
  if (!declaration.schemes.includes('envfile')) return [];
  const [location] = secretFileLocations(declaration, policy.provider.options, {
    projectDir: policy.dir,
    configDir: options.configDir,
  });
  if (location === undefined) return [];
  let text: string;
  try {
    text = await readFile(location, 'utf8');
  } catch {
    return [];
  }
  const refs = [...new Set([...text.matchAll(dotenvName)].map((match) => `envfile://${match[1]}`))];
  if (refs.length === 0) return [];
  // Every line as one command's env, resolved through core's one resolution path.
  const env = Object.fromEntries(
    refs.map((ref, index) => [`V${index}`, { kind: 'secret' as const, ref, scheme: 'envfile' }]),
  );
  const template = policy.commands[0];
  if (template === undefined) return [];
  const results = await resolvePolicySecrets(
    { ...policy, commands: [{ ...template, id: 'audit', env }] },
    { env: options.env, configDir: options.configDir },
  );
  return results.flatMap((result) =>
    result.found ? [{ ref: result.ref, value: result.value }] : [],
  );
}
