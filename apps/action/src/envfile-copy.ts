import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Policy } from '@ironrun/core';

/** The `envfile` input written to a private file for one run. */
export interface EnvfileCopy {
  /** The file's absolute path. */
  readonly path: string;
  /** The policy with its envfile provider reading this file instead of the one it names. */
  applyTo(policy: Policy): Policy;
  /** Deletes the file and its folder now (the action calls it as soon as the secrets are resolved). */
  removeSync(): void;
  /** Deletes the file and its folder; idempotent. */
  remove(): Promise<void>;
}

/**
 * Writes the dotenv text of the `envfile` input to a new folder under `root`
 * (the runner's per-job `RUNNER_TEMP`, outside the workspace), readable only
 * by the runner's user, for the envfile provider to read.
 *
 * @example
 * const copy = await writeEnvfileCopy(core.getInput('envfile'), process.env.RUNNER_TEMP);
 */
export async function writeEnvfileCopy(
  text: string,
  root: string = tmpdir(),
): Promise<EnvfileCopy> {
  const dir = await mkdtemp(join(root, 'ironrun-envfile-'));
  const path = join(dir, 'secrets.env');
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  return {
    path,
    applyTo: (policy) => ({
      ...policy,
      provider: { ...policy.provider, options: { ...policy.provider.options, path } },
    }),
    removeSync: () => rmSync(dir, { recursive: true, force: true }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
