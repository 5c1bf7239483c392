// The cost of the native init's seccomp filter per system call: a program
// making many cheap system calls (dd of 1-byte blocks: a read and a write
// each) run sealed and run directly, at two sizes, alternating one run of
// each per round so load on the shared machine hits every side alike. The
// sealed start-up cancels out between the sizes, so what is left per system
// call is the filter (plus the namespaces, which cost nothing per call):
//   ((sealed large - sealed small) - (direct large - direct small)) / calls.
// Run with `pnpm --filter @ironrun/sandbox bench` after a build.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { probeIsolation, spawnSealed } from '../dist/index.js';

const rounds = Number(process.env.BENCH_RUNS ?? 15);
const small = 1_000;
const large = 200_000;
const cwd = fileURLToPath(new URL('.', import.meta.url));
const dd = (count) => ['/bin/dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${count}`];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function direct(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
}

async function sealed(argv) {
  const child = await spawnSealed({ argv, cwd, ttlMs: 60_000 });
  child.stdout.resume();
  child.stderr.resume();
  const result = await child.result;
  if (result.exitCode !== 0) throw new Error(`sealed dd exited ${result.exitCode}`);
  return result;
}

const isolation = await probeIsolation();
const probe = await sealed(['/bin/true']);
if (!isolation.pidNamespace || probe.isolation.init !== 'native') {
  console.log('seccomp-overhead: skipped: needs Linux namespaces and the native init');
  process.exit(0);
}
const sides = {
  'direct small': () => direct(dd(small)),
  'direct large': () => direct(dd(large)),
  'sealed small': () => sealed(dd(small)),
  'sealed large': () => sealed(dd(large)),
};
const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
for (const once of Object.values(sides)) await once(); // warm-up
for (let i = 0; i < rounds; i += 1) {
  for (const [name, once] of Object.entries(sides)) {
    const start = performance.now();
    await once();
    times[name].push(performance.now() - start);
  }
}
const m = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
for (const [name, ms] of Object.entries(m)) console.log(`${name.padEnd(13)} ${ms.toFixed(1)} ms`);
const calls = 2 * (large - small);
const perCallNs =
  ((m['sealed large'] - m['sealed small'] - (m['direct large'] - m['direct small'])) * 1e6) / calls;
const directPerCallNs = ((m['direct large'] - m['direct small']) * 1e6) / calls;
console.log(
  `seccomp filter: ${perCallNs.toFixed(0)} ns per system call over ${directPerCallNs.toFixed(0)} ns unfiltered (ratio ${((directPerCallNs + perCallNs) / directPerCallNs).toFixed(2)}x), medians of ${rounds} rounds`,
);
