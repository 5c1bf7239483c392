import { readFile } from 'node:fs/promises';
import type { Policy } from '@ironrun/policy';
import { builtinProviders } from '../builtin-providers.js';
import { envfileLocation } from '../envfile-location.js';

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
  const location = envfileLocation(policy.provider, {
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
  const { loadProvider, resolveWithTimeout } = await import('@ironrun/provider');
  const definition = await loadProvider(policy.provider.name, {
    projectDir: policy.dir,
    builtins: { ...builtinProviders },
  });
  const provider = await definition.create(definition.parseOptions(policy.provider.options), {
    projectDir: policy.dir,
    env: options.env,
    configDir: options.configDir,
    timeoutMs: 30_000,
  });
  try {
    const results = await resolveWithTimeout(provider, refs, { timeoutMs: 30_000 });
    return results.flatMap((result) =>
      result.found ? [{ ref: result.ref, value: result.value }] : [],
    );
  } finally {
    await provider.dispose?.();
  }
}
