// Spawn overhead of spawnSealed over child_process.spawn of the same /bin/true,
// and the peak memory of a 1 GiB output flood under the default 8 MiB cap.
// Run with `pnpm --filter @ironrun/sandbox bench` after a build.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { probeIsolation, spawnSealed } from '../dist/index.js';

const runs = Number(process.env.BENCH_RUNS ?? 60);
const warmup = 5;
const cwd = fileURLToPath(new URL('.', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function measure(name, once) {
  for (let i = 0; i < warmup; i += 1) await once();
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  const value = median(times);
  console.log(`${name.padEnd(38)} median ${value.toFixed(2).padStart(7)} ms over ${runs} runs`);
  return value;
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

const baseline = await measure('child_process.spawn(/bin/true)', plainSpawn);
const plain = await measure('spawnSealed(/bin/true)', () => sealed(false));
console.log(
  `  ratio over child_process.spawn: ${(plain / baseline).toFixed(1)}x (+${(plain - baseline).toFixed(1)} ms)`,
);
if (report.noNetwork) {
  const isolated = await measure('spawnSealed(/bin/true, noNetwork)', () => sealed(true));
  console.log(
    `  ratio over child_process.spawn: ${(isolated / baseline).toFixed(1)}x (+${(isolated - baseline).toFixed(1)} ms)`,
  );
}

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
