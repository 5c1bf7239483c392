// Makes dist/agent.cjs.cache, the V8 code cache of dist/agent.cjs (see src/run-bundle.ts), as
// scripts/train-run-cache.mjs does for dist/run.cjs: compiles the file and runs `ironrun agent`
// through it in a project with a policy, in a home and config folder of its own: `--dry-run`
// under ironrun's own set-up (unshare), then a start of /bin/true under bubblewrap. V8's cache
// is taken at the moment that start launches the confinement, so it holds what runs before
// the agent starts (the scan of the policy, the secret locations, the launch) and not the
// broker (it listens right after the launch) nor its pipeline, which loads after the start: a
// cache is read whole on every start, and what it holds beyond the start only delays it. The
// cache is stored with the source it was made from in front. Run by the build
// (tsup.config.ts). Where bubblewrap cannot run here, the cache is taken when the training
// ends (the refusal's message is printed), and the build goes on.
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
  // The launch is the one spawn with a fourth descriptor (the set-up's report, a file): the cache
  // is taken as it starts. The bundle's require('node:child_process') is this same object.
  const childProcess = process.getBuiltinModule('node:child_process');
  const spawn = childProcess.spawn;
  let atLaunch;
  childProcess.spawn = function launch(file, args, options) {
    if (atLaunch === undefined && Array.isArray(options?.stdio) && options.stdio.length === 4) {
      atLaunch = runBundleCache(compiled);
    }
    return spawn.call(this, file, args, options);
  };
  const bundle = compiled.run();
  const outcomes = [];
  try {
    const plan = ['agent', '--confinement', 'unshare', '--dry-run', '--', '/bin/true'];
    const stdout = process.stdout.write;
    process.stdout.write = () => true;
    try {
      outcomes.push(`unshare --dry-run exited ${await bundle.agentFast(plan)}`);
    } finally {
      process.stdout.write = stdout;
    }
    const start = ['agent', '--confinement', 'bubblewrap', '--', '/bin/true'];
    outcomes.push(`bubblewrap exited ${await bundle.agentFast(start)}`);
  } finally {
    childProcess.spawn = spawn;
  }
  outcomes.push(atLaunch === undefined ? 'taken at the end' : 'taken at the launch');
  const cache = atLaunch ?? runBundleCache(compiled);
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
