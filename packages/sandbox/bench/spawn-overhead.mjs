// Spawn overhead of spawnSealed over child_process.spawn of the same /bin/true
// (target, #17: a sealed run at most 2x the direct spawn), the bare launchers
// (util-linux unshare and bubblewrap with the same namespaces) for comparison,
// and the peak memory of a 1 GiB output flood under the default 8 MiB cap.
// Run with `pnpm --filter @ironrun/sandbox bench` after a build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probeIsolation, spawnSealed } from '../dist/index.js';

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

/**
 * Medians of several ways to run /bin/true, alternating one run of each per
 * round, so load on the machine (shared by other jobs) hits every side alike.
 */
async function measureInterleaved(sides) {
  const entries = Object.entries(sides);
  for (let i = 0; i < warmup; i += 1) for (const [, once] of entries) await once();
  const times = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i += 1) {
    for (const [name, once] of entries) {
      const start = performance.now();
      await once();
      times[name].push(performance.now() - start);
    }
  }
  for (const [name] of entries)
    console.log(`${name.padEnd(44)} median ${median(times[name]).toFixed(2).padStart(7)} ms`);
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

async function sealed(noNetwork) {
  const child = await spawnSealed({ argv: ['/bin/true'], cwd, ttlMs: 10_000, noNetwork });
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
const sides = {
  'child_process.spawn(/bin/true)': plainSpawn,
  'spawnSealed(/bin/true)': () => sealed(false),
};
if (report.noNetwork) sides['spawnSealed(/bin/true, noNetwork)'] = () => sealed(true);
if (report.unshare !== null)
  sides['unshare (same namespaces) /bin/true'] = () =>
    run(report.unshare, [...namespaceFlags, '--', '/bin/true']);
const bwrap = existsSync('/usr/bin/bwrap') ? '/usr/bin/bwrap' : null;
if (bwrap !== null)
  sides['bwrap (same namespaces) /bin/true'] = () => run(bwrap, [...bwrapFlags, '/bin/true']);
const medians = await measureInterleaved(sides);
const baseline = medians['child_process.spawn(/bin/true)'];
const TARGET = 2;
for (const [name, value] of Object.entries(medians)) {
  if (name.startsWith('child_process')) continue;
  const target = name.startsWith('spawnSealed(/bin/true)')
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
