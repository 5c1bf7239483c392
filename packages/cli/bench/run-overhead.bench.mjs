// `ironrun run` of a 0.1 s command against `node -e 'spawnSync(...)'` of the same command, both
// started as a fresh process (Node starting is in both), interleaved round by round in the same
// run so load on the machine hits both alike. Target (#17): ironrun run ≤ 1.25× the baseline.
// Also printed: `node -e 0` (Node starting alone) and `ironrun --version` (Node plus the CLI's
// entry and command table), so ironrun's own cost (its one file loaded, the policy read and
// trust check, the sandbox, the redactor) shows apart, and the load average while it ran: on
// a busy machine every figure grows, so compare the ratio, measured in the same run.
// Each figure is the median; the added cost is the median of the per-round differences.
// On Linux each side's CPU time (user + system, its child processes included, from
// /proc/self/stat) is printed too, as a mean per run: a busy machine stretches wall time
// far more than CPU time, so on a shared machine that column tells more.
// With BENCH_BASELINE_BIN=<another build's dist/cli.cjs> (a copy of an older dist/ kept where its
// packages resolve, such as packages/cli/node_modules/.old/dist/), that build's `run nap` is
// interleaved too, and the change is printed against it, measured in the same rounds.
// Run: pnpm --filter @ironrun/cli... build && node packages/cli/bench/run-overhead.bench.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const TARGET = 1.25;
// The bin as installed (package.json `bin`), which is what `ironrun` starts.
const bin = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).bin
  .ironrun;
const cli = fileURLToPath(new URL(`../${bin}`, import.meta.url));
const sleep = '/bin/sleep';
const oldCli = process.env.BENCH_BASELINE_BIN;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ticksPerSecond =
  process.platform === 'linux'
    ? Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
    : undefined;

/** CPU time (ms) of this process's reaped children so far, or undefined off Linux. */
function childrenCpuMs() {
  if (ticksPerSecond === undefined) return undefined;
  // Fields after the command name: cutime and cstime are the 14th and 15th.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

const cpu = {};

function timed(args, options, side) {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  if (side !== undefined && cpuBefore !== undefined) {
    cpu[side] ??= [];
    cpu[side].push(childrenCpuMs() - cpuBefore);
  }
  return ms;
}

const project = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-bench-run-')));
const configDir = await mkdtemp(join(tmpdir(), 'ironrun-bench-config-'));
try {
  await writeFile(
    join(project, 'ironrun.yml'),
    `version: 1\nprovider: envfile\ncommands:\n  - id: nap\n    argv: [${sleep}, "0.1"]\n`,
  );
  const env = { ...process.env, IRONRUN_CONFIG_DIR: configDir };
  const options = { cwd: project, env };
  timed([cli, 'trust', '--yes'], options);
  const baselineArgs = [
    '-e',
    `require('node:child_process').spawnSync(${JSON.stringify(sleep)}, ['0.1'])`,
  ];
  const sides = {
    baseline: (side) => timed(baselineArgs, options, side),
    node: (side) => timed(['-e', '0'], options, side),
    version: (side) => timed([cli, '--version'], options, side),
    run: (side) => timed([cli, 'run', 'nap'], options, side),
    ...(oldCli === undefined
      ? {}
      : { old: (side) => timed([oldCli, 'run', 'nap'], options, side) }),
  };
  for (const once of Object.values(sides)) once(undefined);
  const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  const loadBefore = loadavg()[0];
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, once] of Object.entries(sides)) times[name].push(once(name));
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const cpuOf = (name) =>
    cpu[name] === undefined ? '' : `   cpu ${mean(cpu[name]).toFixed(1).padStart(6)} ms`;
  const added = median(times.run.map((value, i) => value - times.baseline[i]));
  const ratio = median(times.run) / median(times.baseline);
  const load = `${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`;
  console.log(
    `ironrun run of \`sleep 0.1\` (Node ${process.versions.node}, bin ${bin}), median of ${ROUNDS} interleaved rounds, load average ${load}, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set'}:`,
  );
  console.log(
    `  node -e 0                        ${median(times.node).toFixed(1).padStart(6)} ms${cpuOf('node')}`,
  );
  console.log(
    `  node -e 'spawnSync(sleep 0.1)'   ${median(times.baseline).toFixed(1).padStart(6)} ms${cpuOf('baseline')}`,
  );
  console.log(
    `  ironrun --version                ${median(times.version).toFixed(1).padStart(6)} ms${cpuOf('version')}`,
  );
  console.log(
    `  ironrun run nap                  ${median(times.run).toFixed(1).padStart(6)} ms${cpuOf('run')}`,
  );
  console.log(
    `  ratio ${ratio.toFixed(2)}x (+${added.toFixed(1)} ms paired) against the baseline; target <= ${TARGET}x: ${ratio <= TARGET ? 'met' : 'NOT met'}`,
  );
  if (oldCli !== undefined) {
    const oldAdded = median(times.old.map((value, i) => value - times.baseline[i]));
    const change = median(times.run.map((value, i) => value - times.old[i]));
    console.log(
      `  ironrun run nap, baseline build  ${median(times.old).toFixed(1).padStart(6)} ms${cpuOf('old')}   (${oldCli})`,
    );
    console.log(
      `  that build: ratio ${(median(times.old) / median(times.baseline)).toFixed(2)}x (+${oldAdded.toFixed(1)} ms paired); this build against it: ${change >= 0 ? '+' : ''}${change.toFixed(1)} ms paired, ${(median(times.run) / median(times.old)).toFixed(3)}x`,
    );
    if (cpu.old !== undefined)
      console.log(
        `  CPU: this build ${(mean(cpu.run) - mean(cpu.old)).toFixed(1)} ms against the baseline build`,
      );
  }
  if (cpu.run !== undefined)
    console.log(
      `  CPU: ironrun run nap uses ${(mean(cpu.run) - mean(cpu.baseline)).toFixed(1)} ms more than the baseline (${(mean(cpu.run) / mean(cpu.baseline)).toFixed(2)}x)`,
    );
} finally {
  await rm(project, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
}
