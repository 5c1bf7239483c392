// Makes dist/agent.cjs.cache, the V8 code cache of dist/agent.cjs (see src/run-bundle.ts), as
// scripts/train-run-cache.mjs does for dist/run.cjs: compiles the file, starts `ironrun agent`
// through it on /bin/true in a project with a policy, once under bubblewrap and once under
// ironrun's own set-up (unshare), so that what a start calls (the scan of the policy, the
// secret locations, the launch, the broker) is compiled, then stores V8's cache of it with the
// source it was made from in front. Run by the build (tsup.config.ts) in a home and config
// folder of its own. Where a confinement cannot run here, the cache holds what ran until the refusal
// (whose message is printed), and the build goes on.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const { compileRunBundle, runBundleCache, runBundleCachePath } = await import(
  join(dist, 'run-bundle.js')
);
const file = join(dist, 'agent.cjs');
const cachePath = runBundleCachePath(file);
rmSync(cachePath, { force: true });

const work = mkdtempSync(join(tmpdir(), 'ironrun-train-agent-'));
const saved = { ...process.env };
const cwd = process.cwd();
try {
  const home = join(work, 'home');
  const project = join(work, 'project');
  mkdirSync(join(home, 'vault'), { recursive: true });
  mkdirSync(project);
  writeFileSync(join(home, 'vault', 'secrets.env'), 'TOKEN=train\n', { mode: 0o600 });
  writeFileSync(
    join(project, 'ironrun.yml'),
    `version: 1\nprovider: { name: envfile, path: ${join(home, 'vault', 'secrets.env')} }\ncommands:\n  - id: train\n    argv: [/bin/true]\n    env: { TOKEN: envfile://TOKEN }\n`,
  );
  // The start reads HOME, XDG_CONFIG_HOME and IRONRUN_CONFIG_DIR: none of the builder's own.
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, {
    PATH: saved.PATH ?? '/usr/bin:/bin',
    HOME: home,
    IRONRUN_CONFIG_DIR: join(work, 'config'),
  });
  process.chdir(project);
  const compiled = compileRunBundle(file);
  const bundle = compiled.run();
  const outcomes = [];
  for (const kind of ['bubblewrap', 'unshare']) {
    const code = await bundle.agentFast(['agent', '--confinement', kind, '--', '/bin/true']);
    outcomes.push(`${kind} exited ${code}`);
  }
  const cache = runBundleCache(compiled);
  writeFileSync(`${cachePath}.tmp`, cache);
  renameSync(`${cachePath}.tmp`, cachePath);
  console.log(
    `dist/agent.cjs.cache: ${(cache.length / 1024).toFixed(0)} KiB for Node ${process.version} (training: ${outcomes.join(', ')})`,
  );
} finally {
  process.chdir(cwd);
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, saved);
  rmSync(work, { recursive: true, force: true });
}
