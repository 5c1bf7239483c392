import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';

const exampleDir = fileURLToPath(new URL('../../../examples/basic/', import.meta.url));

/** A copy of examples/basic in a temp folder, its trust store and secrets outside it. */
export interface ExampleProject {
  project: TestDir;
  home: TestDir;
  /** The copy of the binary the tests run: alone in a folder, as an installed binary is. */
  binary: string;
  /** The environment the binary runs with: its own folder as `PATH`, and no `node` there. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Copies examples/basic (its ironrun.yml and scripts/deploy.sh, no
 * node_modules) into a temp folder, appends `extraCommands` to its policy,
 * and writes `secret` as DEMO_API_KEY into `<config dir>/secrets.env`, where
 * the envfile provider reads it. The built binary is copied alone into a
 * `bin` folder outside the repository, which is the whole `PATH`.
 */
export async function exampleProject(
  builtBinary: string,
  secret: string,
  extraCommands: string,
): Promise<ExampleProject> {
  const policy = readFileSync(join(exampleDir, 'ironrun.yml'), 'utf8');
  const project = await testdir({
    'ironrun.yml': `${policy.trimEnd()}\n${extraCommands}`,
    'scripts/deploy.sh': {
      content: readFileSync(join(exampleDir, 'scripts', 'deploy.sh'), 'utf8'),
      mode: 0o755,
    },
  });
  const home = await testdir({
    'cfg/secrets.env': { content: `DEMO_API_KEY=${secret}\n`, mode: 0o600 },
  });
  const bin = join(home.dir, 'bin');
  await mkdir(bin);
  const binary = join(bin, 'ironrun');
  await copyFile(builtBinary, binary);
  const env = {
    PATH: bin,
    HOME: home.dir,
    IRONRUN_CONFIG_DIR: join(home.dir, 'cfg'),
    XDG_STATE_HOME: join(home.dir, 'state'),
  };
  return {
    project,
    home,
    binary,
    env,
    cleanup: async () => {
      await project.cleanup();
      await home.cleanup();
    },
  };
}

/** Whether `node` can be found on `env.PATH` (by `which`, itself run by absolute path). */
export function nodeOnPath(env: Record<string, string>): boolean {
  const which = ['/usr/bin/which', '/bin/which'].find((path) => {
    try {
      return readFileSync(path).length > 0;
    } catch {
      return false;
    }
  });
  if (which === undefined) throw new Error('no which at /usr/bin/which or /bin/which');
  return spawnSync(which, ['node'], { env, stdio: 'ignore' }).status === 0;
}
