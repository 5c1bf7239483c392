// `pnpm example`: sets up the example in a throwaway config folder and runs
// its command through the built ironrun CLI, as a person would:
//   1. write a demo API key into <config dir>/secrets.env (outside the repo)
//   2. ironrun trust --yes   (a person vouching for ironrun.yml + deploy.sh)
//   3. ironrun run deploy    (what an agent asks for; the key is [REDACTED])
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'packages', 'cli', 'dist', 'cli.js');
const configDir = mkdtempSync(join(tmpdir(), 'ironrun-example-'));
const key = `demo_sk_${randomBytes(12).toString('hex')}`;
const env = { ...process.env, IRONRUN_CONFIG_DIR: configDir };

function ironrun(args) {
  console.log(`\n$ ironrun ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: here,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  // Printed in order (stderr first: what trust shows a person), both to stdout.
  process.stdout.write(result.stderr);
  process.stdout.write(result.stdout);
  return result;
}

try {
  writeFileSync(join(configDir, 'secrets.env'), `DEMO_API_KEY=${key}\n`, { mode: 0o600 });
  console.log(
    `Wrote a demo key to ${join(configDir, 'secrets.env')} (IRONRUN_CONFIG_DIR=${configDir}).`,
  );
  ironrun(['list']);
  if (ironrun(['trust', '--yes']).status !== 0) process.exit(1);
  const run = ironrun(['run', 'deploy']);
  const leaked = `${run.stdout}${run.stderr}`.includes(key);
  console.log(
    leaked
      ? '\n✗ the key reached the output: this is a bug, please report it'
      : `\n✓ exit code ${run.status}; the key appears nowhere in the output, raw or base64.`,
  );
  process.exitCode = leaked ? 1 : (run.status ?? 1);
} finally {
  rmSync(configDir, { recursive: true, force: true });
}
