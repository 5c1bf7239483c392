// Starting a trivial program confined by `ironrun agent` against starting it directly, interleaved
// in the same run. Measured four ways:
//   1. the confinement alone: the exact wrapper argv `ironrun agent` uses (from --dry-run), around
//      /bin/echo, against /bin/echo spawned directly.
//   2. Node starting alone (`node -e` writing one byte), and Node loading dist/agent.cjs with its
//      code cache as the bin does (the entry, nothing run), and `ironrun --version` (Node and the
//      CLI starting, which any ironrun command pays).
//   3. the whole command until the agent runs: `ironrun agent -- /bin/echo started`, timed to the
//      agent's first byte, against /bin/echo started directly. Target (issue #19): starting a
//      trivial program confined adds ≤ 50 ms over starting it directly (median of the paired
//      rounds). Broken down by the same rounds into Node starting, the entry, the launch (what
//      the start does before the confinement's exec: the rest) and the confinement (1.).
//      Measured in an empty folder and in a project with an ironrun.yml (whose envfile must be
//      found first): one the provider scan reads (no YAML parser before the start, as for every
//      policy init writes), and as the baseline the same policy behind a `---` line, which the
//      scan leaves to the full reader (YAML and the schema load before the start, as they all
//      did before the scan). The empty-folder case is also run through the full command table
//      (citty and the agent command's chunks, as before dist/agent.js), as the fast path's
//      baseline.
//   4. the whole command until it exits: it also waits for the broker's pipeline, which loads
//      after the agent started (a /bin/true agent ends before it has loaded).
// Every `ironrun` start here is the bin as installed (package.json `bin`: dist/cli.cjs), which is
// what `ironrun` and npx run; so is the baseline's.
// With BENCH_BASELINE=<a dist folder> (another build of this package, such as main's copied into
// packages/cli/node_modules/.base/dist, where it finds the same packages and neither git nor the
// linter looks), 3. is also run through that build's dist/cli.cjs, right beside this build's in
// each round (which of the two goes first swaps every round), and the change is given paired.
// Check that slot with a copy of this very build as the baseline (an A/A run): it must read
// within noise (stop 32, 30 rounds at load 2.7: 1.8 and 0.8 ms paired, CPU within 3 ms). Until
// stop 32 this bench timed dist/cli.js, the ES entry, against the baseline's dist/cli.cjs: the
// 7-9 ms an A/A run read at stop 31 was the ES module loader dist/cli.js sets up, not the slot.
// Each figure is the median, with the spread as the interquartile range (p25–p75), and the
// added cost is also given as the median of the per-round differences (paired, same round).
// Beside each: the CPU time (user + system) the child and its own children used until it
// exited, from /proc, as a mean per run; on a shared machine it moves far less with the load
// than the wall time. The children get no NODE_EXTRA_CA_CERTS (their environment is PATH, HOME
// and IRONRUN_CONFIG_DIR only); the first line says whether this process has it, and the load.
// Run: pnpm --filter @ironrun/cli build && node packages/cli/bench/agent.bench.mjs
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const baselineCli =
  process.env.BENCH_BASELINE === undefined
    ? undefined
    : resolve(process.env.BENCH_BASELINE, 'cli.cjs');
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
// The bin as installed (package.json `bin`, dist/cli.cjs), which is what `ironrun` and npx start,
// and what the baseline slot runs of the other build. dist/cli.js, the ES entry, is read only to
// find the command table's chunk.
const bin = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).bin
  .ironrun;
const cli = fileURLToPath(new URL(`../${bin}`, import.meta.url));
const trueProgram = '/bin/true';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** CPU time (user + system) of the waited-for children so far, from /proc (clock ticks of 10 ms). */
function childrenCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const cpuTotals = new Map();

/** Runs one measurement into `list`, adding the CPU time the child (and its own) used to exit. */
async function sample(list, run) {
  const before = childrenCpuMs();
  list.push(await run());
  cpuTotals.set(list, (cpuTotals.get(list) ?? 0) + childrenCpuMs() - before);
}

function spread(values) {
  const cpu = cpuTotals.get(values);
  return `${median(values).toFixed(1)} ms (p25–p75 ${quantile(values, 0.25).toFixed(1)}–${quantile(values, 0.75).toFixed(1)})${cpu === undefined ? '' : `, CPU to exit ${(cpu / values.length).toFixed(1)} ms/run (mean)`}`;
}

function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function pairedAdded(slow, fast) {
  return median(slow.map((value, i) => value - (fast[i] ?? 0)));
}

/** Milliseconds from spawning until the child's first byte on stdout. */
function timedFirstByte(file, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], env, cwd });
    let first;
    child.stdout.once('data', () => {
      first = Number(process.hrtime.bigint() - start) / 1e6;
    });
    child.stdout.resume();
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0 || first === undefined) reject(new Error(`${file} exited ${code}`));
      else resolve(first);
    });
  });
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
const empty = join(home, 'empty');
const project = join(home, 'project');
const unscanned = join(home, 'unscanned');
await mkdir(empty);
await mkdir(project);
await mkdir(unscanned);
const policyText = [
  'version: 1',
  `provider: { name: envfile, path: ${join(home, 'vault', 'secrets.env')} }`,
  'commands:',
  '  - id: echo',
  '    argv: [/bin/echo, hello]',
  '    env: { TOKEN: envfile://TOKEN }',
  '',
].join('\n');
await writeFile(join(project, 'ironrun.yml'), policyText);
await writeFile(join(unscanned, 'ironrun.yml'), `---\n${policyText}`);
await mkdir(join(home, 'vault'));
await writeFile(join(home, 'vault', 'secrets.env'), 'TOKEN=x\n', { mode: 0o600 });
const echo = ['/bin/echo', 'started'];
// The baseline for the fast path (dist/agent.js): the same command through the full command
// table (citty, main, the agent command's chunks), as `ironrun agent` ran before it.
// (dist/main.js, an entry of its own) is a module of the build.
const mainEntry = join(dist, 'main.js');
const mainChunk = (await readFile(mainEntry).then(
  () => true,
  () => false,
))
  ? mainEntry
  : undefined;
const viaTable = join(home, 'via-command-table.mjs');
// Node and the entry alone: what the bin does for `agent` (src/cli-bin.ts) up to the call, as
// CommonJS with src/run-bundle.ts bundled in, as the bin has it (built here with tsup's esbuild),
// so that it pays no ES module loader the bin does not pay either.
const entryOnly = join(home, 'entry-only.cjs');
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');
await esbuild.build({
  stdin: {
    contents: `import { loadAgentBundle } from './src/run-bundle.ts';\nloadAgentBundle(${JSON.stringify(dist)});\nprocess.stdout.write('x');\n`,
    resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: entryOnly,
  logLevel: 'error',
});
const nodeAlone = ['-e', "process.stdout.write('x')"];
console.log(
  `agent bench (Node ${process.versions.node}, bin ${bin}): NODE_EXTRA_CA_CERTS is ${process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set'} here; every child gets only PATH, HOME and IRONRUN_CONFIG_DIR (unset there); load ${loadAverage()}`,
);
if (mainChunk !== undefined) {
  await writeFile(
    viaTable,
    `const { runCli } = await import(${JSON.stringify(pathToFileURL(mainChunk).href)});\nprocess.exitCode = await runCli(process.argv.slice(2));\n`,
  );
}
try {
  for (const kind of ['bubblewrap', 'unshare']) {
    const plan = spawnSync(
      process.execPath,
      [cli, 'agent', '--confinement', kind, '--dry-run', '--', trueProgram],
      { encoding: 'utf8', env, cwd: empty },
    );
    if (plan.status !== 0) {
      console.log(`agent bench (${kind}): not available here: ${plan.stderr.trim()}`);
      continue;
    }
    const launch = JSON.parse(/^launch: (.*)$/m.exec(plan.stdout)?.[1] ?? '[]');
    const [file, ...args] = launch;
    const wrapper = args.slice(0, -1);
    const direct = [];
    const confined = [];
    const cliStart = [];
    const nodeStart = [];
    const entryStart = [];
    const agentStart = [];
    const agentStartTable = [];
    const agentStartProject = [];
    const agentStartUnscanned = [];
    const whole = [];
    const agentStartBaseline = [];
    const agentStartProjectBaseline = [];
    const agentArgs = ['agent', '--confinement', kind, '--', ...echo];
    for (let i = 0; i < 3; i++) {
      await timedFirstByte(echo[0], echo.slice(1), env, empty);
      await timedFirstByte(file, [...wrapper, ...echo], env, empty);
      await timedFirstByte(process.execPath, [cli, ...agentArgs], env, project);
    }
    for (let i = 0; i < ROUNDS; i++) {
      await sample(direct, () => timedFirstByte(echo[0], echo.slice(1), env, empty));
      await sample(confined, () => timedFirstByte(file, [...wrapper, ...echo], env, empty));
      await sample(cliStart, () =>
        timedFirstByte(process.execPath, [cli, '--version'], env, empty),
      );
      await sample(nodeStart, () => timedFirstByte(process.execPath, nodeAlone, env, empty));
      await sample(entryStart, () => timedFirstByte(process.execPath, [entryOnly], env, empty));
      // This build and the baseline's, one right after the other in each place, the first of
      // the two swapping every round.
      const pair = async (where, now, base) => {
        const runs = [
          () =>
            sample(now, () => timedFirstByte(process.execPath, [cli, ...agentArgs], env, where)),
        ];
        if (baselineCli !== undefined) {
          runs.push(() =>
            sample(base, () =>
              timedFirstByte(process.execPath, [baselineCli, ...agentArgs], env, where),
            ),
          );
          if (i % 2 === 1) runs.reverse();
        }
        for (const run of runs) await run();
      };
      await pair(empty, agentStart, agentStartBaseline);
      if (mainChunk !== undefined) {
        await sample(agentStartTable, () =>
          timedFirstByte(process.execPath, [viaTable, ...agentArgs], env, empty),
        );
      }
      await pair(project, agentStartProject, agentStartProjectBaseline);
      await sample(agentStartUnscanned, () =>
        timedFirstByte(process.execPath, [cli, ...agentArgs], env, unscanned),
      );
      if (i < Math.ceil(ROUNDS / 2)) {
        await sample(whole, () =>
          timedSpawn(
            process.execPath,
            [cli, 'agent', '--confinement', kind, '--', trueProgram],
            env,
          ),
        );
      }
    }
    const verdict = (ms) => `(target ≤ 50 ms: ${ms <= 50 ? 'met' : 'NOT met'})`;
    const wrapperAdded = pairedAdded(confined, direct);
    const startAdded = pairedAdded(agentStart, cliStart);
    const projectAdded = pairedAdded(agentStartProject, cliStart);
    const overDirect = pairedAdded(agentStart, direct);
    const projectOverDirect = pairedAdded(agentStartProject, direct);
    const nodeAdded = pairedAdded(nodeStart, direct);
    const entryAdded = pairedAdded(entryStart, nodeStart);
    const launchAdded = median(
      agentStart.map((value, i) => value - entryStart[i] - (confined[i] - direct[i])),
    );
    const unscannedAdded = pairedAdded(agentStartUnscanned, cliStart);
    const scanSaved = pairedAdded(agentStartUnscanned, agentStartProject);
    console.log(`agent bench (${kind}), ${ROUNDS} interleaved rounds, to the first byte`);
    console.log(`  echo directly                         ${spread(direct)}`);
    console.log(`  echo confined (wrapper only)          ${spread(confined)}`);
    console.log(`    added by the confinement            ${wrapperAdded.toFixed(1)} ms`);
    console.log(`  node -e (one byte, Node alone)        ${spread(nodeStart)}`);
    console.log(`  Node + dist/agent.cjs loaded          ${spread(entryStart)}`);
    console.log(`  ironrun --version (Node + CLI)        ${spread(cliStart)}`);
    console.log(`  ironrun agent -- echo (empty folder)  ${spread(agentStart)}`);
    console.log(
      `    added over echo directly            ${overDirect.toFixed(1)} ms ${verdict(overDirect)}`,
    );
    console.log(
      `      of which Node starting ${nodeAdded.toFixed(1)}, the entry ${entryAdded.toFixed(1)}, the launch ${launchAdded.toFixed(1)}, the confinement ${wrapperAdded.toFixed(1)} ms (paired medians: they need not add up)`,
    );
    console.log(`    added over --version                ${startAdded.toFixed(1)} ms`);
    if (agentStartTable.length > 0) {
      const fastSaved = pairedAdded(agentStartTable, agentStart);
      console.log(`  … through the command table (before)  ${spread(agentStartTable)}`);
      console.log(
        `    saved by dist/agent.cjs (paired)    ${fastSaved.toFixed(1)} ms (ratio ${(median(agentStartTable) / median(agentStart)).toFixed(2)}x)`,
      );
    }
    console.log(`  ironrun agent -- echo (a project)     ${spread(agentStartProject)}`);
    console.log(
      `    added over echo directly            ${projectOverDirect.toFixed(1)} ms ${verdict(projectOverDirect)}`,
    );
    console.log(`    added over --version                ${projectAdded.toFixed(1)} ms`);
    if (baselineCli !== undefined) {
      for (const [where, base, now] of [
        ['empty folder', agentStartBaseline, agentStart],
        ['a project', agentStartProjectBaseline, agentStartProject],
      ]) {
        console.log(`  … the baseline build (${where})`.padEnd(40) + spread(base));
        console.log(
          `    added over echo directly            ${pairedAdded(base, direct).toFixed(1)} ms; this build saves ${pairedAdded(base, now).toFixed(1)} ms (paired; ratio ${(median(base) / median(now)).toFixed(2)}x)`,
        );
      }
    }
    console.log(`  … policy the scan leaves (full read)  ${spread(agentStartUnscanned)}`);
    console.log(
      `    added over --version                ${unscannedAdded.toFixed(1)} ms (baseline: the full reader before the start)`,
    );
    console.log(
      `    saved by the scan (paired)          ${scanSaved.toFixed(1)} ms (ratio ${(median(agentStartUnscanned) / median(agentStartProject)).toFixed(2)}x)`,
    );
    console.log(
      `  ironrun agent -- /bin/true, to exit   ${spread(whole)} (includes the broker's pipeline load after the start)`,
    );
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
