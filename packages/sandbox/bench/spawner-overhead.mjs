// A sealed run of /bin/true started by a caller holding a large heap (as the
// MCP server does): spawnSealed (this process forks itself: its page tables
// are copied) against createSealedSpawner().spawn (the native init, started
// once, forks the run), interleaved round by round, with a direct
// child_process.spawn of /bin/true as the baseline of the same rounds. It
// prints the medians, the paired differences, this process's CPU time per
// run (user + system from process.cpuUsage, which load inflates far less than
// wall time) and the load average.
// BENCH_BALLAST_MB (default 100) sets the resident heap the caller holds.
// Run with `node bench/spawner-overhead.mjs` after a build.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createSealedSpawner, spawnSealed } from '../dist/index.js';

const runs = Number(process.env.BENCH_RUNS ?? 60);
const ballastMb = Number(process.env.BENCH_BALLAST_MB ?? 100);
const cwd = fileURLToPath(new URL('.', import.meta.url));

// Resident, touched memory, as a server's heap is: every page is mapped.
const ballast = Array.from({ length: ballastMb }, () => Buffer.alloc(1024 * 1024, 1));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function direct() {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

async function sealed(start) {
  const child = await start({ argv: ['/bin/true'], cwd, ttlMs: 20_000 });
  child.stdout.resume();
  child.stderr.resume();
  const result = await child.result;
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}`);
}

const spawner = createSealedSpawner();
const sides = {
  'child_process.spawn /bin/true': direct,
  'spawnSealed (this process forks)': () => sealed(spawnSealed),
  'createSealedSpawner().spawn': () => sealed(spawner.spawn),
};
const wall = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
const cpu = Object.fromEntries(Object.keys(sides).map((name) => [name, 0]));
for (let i = 0; i < 5; i++) for (const run of Object.values(sides)) await run();
const loadBefore = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
for (let i = 0; i < runs; i++) {
  for (const [name, run] of Object.entries(sides)) {
    const usage = process.cpuUsage();
    const start = performance.now();
    await run();
    wall[name].push(performance.now() - start);
    const used = process.cpuUsage(usage);
    cpu[name] += (used.user + used.system) / 1000;
  }
}
await spawner.close();
const names = Object.keys(sides);
console.log(
  `sealed /bin/true from a caller holding ${ballast.length} MiB, median of ${runs} interleaved rounds (load ${loadBefore} before, ${loadavg()
    .map((value) => value.toFixed(2))
    .join(
      ' ',
    )} after; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set'}):`,
);
for (const name of names)
  console.log(
    `  ${name.padEnd(36)} ${median(wall[name]).toFixed(2)} ms wall, ${(cpu[name] / runs).toFixed(2)} ms CPU of this process per run`,
  );
const [baseline, forks, spawned] = names;
const paired = (a, b) => median(wall[a].map((value, i) => value - wall[b][i]));
const signed = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
console.log(
  `  spawnSealed over the direct spawn ${signed(paired(forks, baseline))} ms, the spawner ${signed(paired(spawned, baseline))} ms (paired); the spawner saves ${paired(forks, spawned).toFixed(2)} ms wall and ${((cpu[forks] - cpu[spawned]) / runs).toFixed(2)} ms CPU per run`,
);
