import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Installs the fixture provider package `ironrun-provider-fixture` in `projectDir`'s
 * `node_modules`, as `npm install` would. It resolves `fixture://NAME` from the JSON file
 * its `file` option names, needs `FIXTURE_VAULT_TOKEN` (or the variable `token_env` names),
 * and declares all that, its program `fixture-vault`, its secret file and its CLI's session
 * folder `~/.fixture-vault`, in its own package.json: no other package of the repository
 * knows it.
 */
export async function installFixtureProvider(projectDir: string): Promise<void> {
  const source = fileURLToPath(new URL('../fixtures/ironrun-provider-fixture', import.meta.url));
  const target = join(projectDir, 'node_modules', 'ironrun-provider-fixture');
  await mkdir(target, { recursive: true });
  await cp(source, target, { recursive: true });
}
