// Spawn overhead of a sealed run of /bin/true over child_process.spawn of the
// same /bin/true, both ways a caller gets one: spawnSealed (this process
// forks the native init) and createSealedSpawner().spawn (what the MCP server
// and the agent broker use: the spawner, started once, forks the run). The
// target (#17) is at most 2x the direct spawn, for each. The bare launchers
// (util-linux unshare and bubblewrap with the same namespaces) are there for
// comparison, and the peak memory of a 1 GiB output flood under the default
// 8 MiB cap. One run of each per round, so load on the machine (shared with
// other jobs) hits every side alike; beside the wall medians it prints this
// process's CPU time per run and the load average, which say how much of a
// figure is waiting for a CPU. Run with `pnpm --filter @ironrun/sandbox bench`
// after a build (with `env -u NODE_EXTRA_CA_CERTS`, which costs every Node
// start here ~50 ms).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createSealedSpawner, probeIsolation, spawnSealed } from '../dist/index.js';

// The flags spawnSealed passes to unshare (see src/probe-isolation.ts).
const pidNamespaceFlags = ['--pid', '--fork', '--kill-child', '--mount-proc'];
const freshNamespaceFlags = ['--ipc', '--uts'];

const runs = Number(process.env.BENCH_RUNS ?? 60);
const warmup = 5;
const cwd = fileURLToPath(new URL('.', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/**
 * Medians of several ways to run /bin/true, alternating one run of each per
 * round, so load on the machine (shared by other jobs) hits every side alike,
 * with this process's CPU time (user + system) per run.
 */
async function measureInterleaved(sides) {
  const entries = Object.entries(sides);
  for (let i = 0; i < warmup; i += 1) for (const [, once] of entries) await once();
  const times = Object.fromEntries(entries.map(([name]) => [name, []]));
  const cpu = Object.fromEntries(entries.map(([name]) => [name, 0]));
  const loadBefore = load();
  for (let i = 0; i < runs; i += 1) {
    for (const [name, once] of entries) {
      const usage = process.cpuUsage();
      const start = performance.now();
      await once();
      times[name].push(performance.now() - start);
      const used = process.cpuUsage(usage);
      cpu[name] += (used.user + used.system) / 1000;
    }
  }
  console.log(
    `median of ${runs} interleaved rounds, load ${loadBefore} before, ${load()} after; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set'}`,
  );
  for (const [name] of entries)
    console.log(
      `${name.padEnd(44)} median ${median(times[name]).toFixed(2).padStart(7)} ms, ${(cpu[name] / runs).toFixed(2)} ms CPU of this process per run`,
    );
  return Object.fromEntries(entries.map(([name]) => [name, median(times[name])]));
}

function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`)),
    );
  });
}

function plainSpawn() {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', reject);
    child.once('close', resolve);
  });
}

async function sealed(noNetwork, start = spawnSealed) {
  const child = await start({ argv: ['/bin/true'], cwd, ttlMs: 10_000, noNetwork });
  child.stdout.resume();
  child.stderr.resume();
  const result = await child.result;
  if (result.exitCode !== 0)
    throw new Error(`/bin/true exited ${result.exitCode} ${result.signal}`);
}

const report = await probeIsolation();
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, PID namespace: ${report.pidNamespace}, noNetwork: ${report.noNetwork}`,
);
for (const note of report.notes) console.log(`  note: ${note}`);

// The same namespaces both ways, around /bin/true alone (no init, no
// configuration): the floor of each launcher, to choose between them.
const namespaceFlags = ['--user', '--map-root-user', ...pidNamespaceFlags, ...freshNamespaceFlags];
const bwrapFlags = [
  '--unshare-user',
  '--unshare-pid',
  '--unshare-ipc',
  '--unshare-uts',
  '--dev-bind',
  '/',
  '/',
  '--proc',
  '/proc',
  '--die-with-parent',
  '--',
];
const spawner = createSealedSpawner();
const sides = {
  'child_process.spawn(/bin/true)': plainSpawn,
  'spawnSealed(/bin/true)': () => sealed(false),
  'createSealedSpawner().spawn(/bin/true)': () => sealed(false, spawner.spawn),
};
if (report.noNetwork) sides['spawnSealed(/bin/true, noNetwork)'] = () => sealed(true);
if (report.unshare !== null)
  sides['unshare (same namespaces) /bin/true'] = () =>
    run(report.unshare, [...namespaceFlags, '--', '/bin/true']);
const bwrap = existsSync('/usr/bin/bwrap') ? '/usr/bin/bwrap' : null;
if (bwrap !== null)
  sides['bwrap (same namespaces) /bin/true'] = () => run(bwrap, [...bwrapFlags, '/bin/true']);
const medians = await measureInterleaved(sides);
await spawner.close();
const baseline = medians['child_process.spawn(/bin/true)'];
const TARGET = 2;
// The target holds for the two ways a caller starts a sealed run (noNetwork included).
const targeted = ['spawnSealed(/bin/true)', 'createSealedSpawner().spawn(/bin/true)'];
for (const [name, value] of Object.entries(medians)) {
  if (name.startsWith('child_process')) continue;
  const target = targeted.includes(name)
    ? `; target <= ${TARGET}x: ${value / baseline <= TARGET ? 'met' : 'NOT met'}`
    : '';
  console.log(
    `  ${name}: ${(value / baseline).toFixed(1)}x child_process.spawn (+${(value - baseline).toFixed(1)} ms)${target}`,
  );
}
if (bwrap === null) console.log('  bwrap: not installed, not measured');

// The flood: 1 GiB on stdout, nobody keeps more than the cap.
const flood = 1024 * 1024 * 1024;
const flooder = fileURLToPath(new URL('../test/fixtures/flood.mjs', import.meta.url));
globalThis.gc?.();
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 2);
const start = performance.now();
const child = await spawnSealed({
  argv: [process.execPath, flooder, String(flood)],
  cwd,
  ttlMs: 600_000,
});
let kept = 0;
child.stdout.on('data', (chunk) => {
  kept += chunk.length;
});
const result = await child.result;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
console.log(
  `1 GiB flood, default 8 MiB cap: ${mib(result.stdoutBytes)} counted, ${mib(kept)} kept, truncated ${result.truncated}, ` +
    `${((performance.now() - start) / 1000).toFixed(1)} s; RSS before ${mib(before)}, peak ${mib(peak)} (+${mib(peak - before)})`,
);
