// Starting a trivial program confined by `ironrun agent` against starting it directly, interleaved
// in the same run. Measured three ways:
//   1. the confinement alone: the exact wrapper argv `ironrun agent` uses (from --dry-run), around
//      /bin/true, against /bin/true spawned directly. Target: ≤ 50 ms added (median).
//   2. the probe `ironrun agent` runs before starting (one run of the same wrapper on true).
//   3. the whole command `ironrun agent -- /bin/true` against `ironrun --version` (Node and the
//      CLI starting, which any ironrun command pays), for the full picture.
// Run: pnpm --filter @ironrun/cli build && node packages/cli/bench/agent.bench.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const trueProgram = '/bin/true';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timedSpawn(file, args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: 'ignore', env });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${file} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

if (process.platform !== 'linux') {
  console.log('agent bench: Linux only (namespaces); skipped');
  process.exit(0);
}
const home = await mkdtemp(join(tmpdir(), 'ironrun-bench-agent-'));
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  IRONRUN_CONFIG_DIR: join(home, 'cfg'),
};
try {
  for (const kind of ['bubblewrap', 'unshare']) {
    const plan = spawnSync(
      process.execPath,
      [cli, 'agent', '--confinement', kind, '--dry-run', '--', trueProgram],
      {
        encoding: 'utf8',
        env,
      },
    );
    if (plan.status !== 0) {
      console.log(`agent bench (${kind}): not available here: ${plan.stderr.trim()}`);
      continue;
    }
    const launch = JSON.parse(/^launch: (.*)$/m.exec(plan.stdout)?.[1] ?? '[]');
    const [file, ...args] = launch;
    const direct = [];
    const confined = [];
    const whole = [];
    const cliStart = [];
    for (let i = 0; i < 3; i++) {
      await timedSpawn(trueProgram, [], env);
      await timedSpawn(file, args, env);
    }
    for (let i = 0; i < ROUNDS; i++) {
      direct.push(await timedSpawn(trueProgram, [], env));
      confined.push(await timedSpawn(file, args, env));
      if (i < Math.ceil(ROUNDS / 2)) {
        cliStart.push(await timedSpawn(process.execPath, [cli, '--version'], env));
        whole.push(
          await timedSpawn(
            process.execPath,
            [cli, 'agent', '--confinement', kind, '--', trueProgram],
            env,
          ),
        );
      }
    }
    const added = median(confined) - median(direct);
    const startAdded = added * 2; // the probe runs the same wrapper once before the real start
    console.log(`agent bench (${kind}), ${ROUNDS} interleaved rounds (median)`);
    console.log(`  /bin/true directly                  ${median(direct).toFixed(2)} ms`);
    console.log(`  /bin/true confined (wrapper only)   ${median(confined).toFixed(2)} ms`);
    console.log(
      `  added by the confinement            ${added.toFixed(2)} ms (target ≤ 50 ms: ${added <= 50 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  added with the probe run first      ${startAdded.toFixed(2)} ms (target ≤ 50 ms: ${startAdded <= 50 ? 'met' : 'NOT met'})`,
    );
    console.log(`  ironrun --version (Node + CLI)      ${median(cliStart).toFixed(0)} ms`);
    console.log(
      `  ironrun agent -- /bin/true          ${median(whole).toFixed(0)} ms (${(median(whole) - median(cliStart)).toFixed(0)} ms over --version: broker, probe, secret locations, imports)`,
    );
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
