// Makes dist/run.cjs.cache, the V8 code cache of dist/run.cjs (see src/run-bundle.ts): compiles
// the file, runs a trusted command through it as `ironrun run` does (the policy read, the
// trust check, the sandbox, the redactor), so that what a run calls is compiled, then stores
// V8's cache of it with the source it was made from in front. Run by the build
// (tsup.config.ts), by the Node that builds: a Node with another V8 refuses the cache and
// compiles the file as if there were none. Where the sandbox cannot run here, the cache holds what ran until the
// refusal, and the build goes on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const { compileRunBundle, runBundleCache, runBundleCachePath } = await import(
  join(dist, 'run-bundle.js')
);
const file = join(dist, 'run.cjs');
const cachePath = runBundleCachePath(file);
rmSync(cachePath, { force: true });

const work = mkdtempSync(join(tmpdir(), 'ironrun-train-'));
try {
  const project = join(work, 'project');
  const configDir = join(work, 'config');
  spawnSync('mkdir', [project]);
  writeFileSync(
    join(project, 'ironrun.yml'),
    'version: 1\nprovider: envfile\ncommands:\n  - id: train\n    argv: [/bin/true]\n',
  );
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', IRONRUN_CONFIG_DIR: configDir };
  const trust = spawnSync(process.execPath, [join(dist, 'cli.js'), 'trust', '--yes'], {
    cwd: project,
    env,
    encoding: 'utf8',
  });
  const compiled = compileRunBundle(file);
  const bundle = compiled.run();
  let outcome = `trust exited ${trust.status}`;
  if (trust.status === 0) {
    const cwd = process.cwd();
    const saved = process.env.IRONRUN_CONFIG_DIR;
    process.chdir(project);
    process.env.IRONRUN_CONFIG_DIR = configDir;
    try {
      outcome = `run exited ${await bundle.runFast(['run', 'train'])}`;
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.IRONRUN_CONFIG_DIR;
      else process.env.IRONRUN_CONFIG_DIR = saved;
    }
  }
  const cache = runBundleCache(compiled);
  writeFileSync(`${cachePath}.tmp`, cache);
  renameSync(`${cachePath}.tmp`, cachePath);
  console.log(
    `dist/run.cjs.cache: ${(cache.length / 1024).toFixed(0)} KiB for Node ${process.version} (training ${outcome})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
