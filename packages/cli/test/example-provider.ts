import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Installs the built examples/provider-plugin as `ironrun-provider-example`
 * (with the `@ironrun/provider` it imports) in `projectDir`'s node_modules,
 * as `npm install ironrun-provider-example` would. It resolves
 * `example://NAME` from the JSON file named by its `file` option.
 */
export async function installExampleProvider(projectDir: string): Promise<void> {
  const example = fileURLToPath(new URL('../../../examples/provider-plugin', import.meta.url));
  const target = join(projectDir, 'node_modules/ironrun-provider-example');
  await mkdir(target, { recursive: true });
  await cp(join(example, 'package.json'), join(target, 'package.json'));
  await cp(join(example, 'dist'), join(target, 'dist'), { recursive: true });
  await mkdir(join(projectDir, 'node_modules/@ironrun'), { recursive: true });
  await cp(
    fileURLToPath(new URL('../../provider', import.meta.url)),
    join(projectDir, 'node_modules/@ironrun/provider'),
    {
      recursive: true,
      filter: (source) =>
        !source.includes('node_modules') && !source.includes('/src') && !source.includes('/test'),
    },
  );
}
