import { join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { expect } from 'vitest';
import { runIronrun } from './cli-process.js';

/** A policy of one command, `ok`, that runs /bin/true with no secret. */
export const truePolicy =
  'version: 1\nprovider: envfile\ncommands:\n  - id: ok\n    argv: [/bin/true]\n';

/** A fresh home and config folder, and a project whose policy the person trusted. */
export interface TrustedProject {
  home: TestDir;
  project: TestDir;
  /** HOME and IRONRUN_CONFIG_DIR of that home, for each `ironrun` the test runs. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Makes a project with `policy` as its ironrun.yml and trusts it with `ironrun trust --yes`. */
export async function trustedProject(policy: string = truePolicy): Promise<TrustedProject> {
  const home = await testdir();
  const project = await testdir({ 'ironrun.yml': policy });
  const env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'config') };
  const trust = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
  expect(trust.code, trust.stderr).toBe(0);
  return {
    home,
    project,
    env,
    async cleanup() {
      await project.cleanup();
      await home.cleanup();
    },
  };
}
