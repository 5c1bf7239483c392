// run_sealed round trip for /bin/true over stdio (one connected client) vs
// spawning /bin/true directly from node, interleaved call by call in the same
// run. Median of ROUNDS calls each. Target (#17): the round trip at most 5 ms
// over the direct spawn (median of the per-round differences).
//
// The server starts runs through its sealed spawner (createSealedSpawner); a
// second server started with --no-spawner (each run spawned by the server, the
// path before the spawner) joins the same rounds, so both are measured at the
// same load. BENCH_SPAWNER=0 measures the --no-spawner server alone.
//
// BENCH_BASELINE_SERVER=/path/to/other/checkout/packages/mcp/test/fixtures/server.mjs
// adds a second server (an older build) to the same rounds, so a change is
// measured against the code before it at the same load.
//
// Run: pnpm --filter @ironrun/mcp... build && node packages/mcp/bench/round-trip.bench.mjs
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trust } from '@ironrun/policy';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const TARGET_MS = 5;
const server = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'fixtures',
  'server.mjs',
);
const baselineServer = process.env.BENCH_BASELINE_SERVER;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function spawnTrue() {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

/** CPU milliseconds (user + system) a process has used so far, from /proc: what load does not inflate. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat; here 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function connect(script, policyPath, configDir, extra = []) {
  const client = new Client({ name: 'ironrun-bench', version: '0.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script, '--policy', policyPath, '--config-dir', configDir, '--no-runs', ...extra],
  });
  await client.connect(transport);
  const call = async () => {
    const result = await client.callTool({ name: 'run_sealed', arguments: { id: 'true' } });
    if (result.isError || result.structuredContent?.exit_code !== 0)
      throw new Error(JSON.stringify(result));
  };
  return { client, call, cpu: () => cpuMs(transport.pid) };
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const project = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-bench-')));
const configDir = await mkdtemp(join(tmpdir(), 'ironrun-bench-config-'));
try {
  const policyPath = join(project, 'ironrun.yml');
  await writeFile(
    policyPath,
    'version: 1\nprovider: envfile\ncommands:\n  - id: "true"\n    argv: [/bin/true]\n',
  );
  await trust(policyPath, { configDir });
  // Past the pin hash cache's settle time, as in a server that has been up a while.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const withSpawner = process.env.BENCH_SPAWNER !== '0';
  const subject = await connect(server, policyPath, configDir, withSpawner ? [] : ['--no-spawner']);
  const direct0 = withSpawner
    ? await connect(server, policyPath, configDir, ['--no-spawner'])
    : undefined;
  const baseline =
    baselineServer === undefined ? undefined : await connect(baselineServer, policyPath, configDir);
  for (let i = 0; i < 5; i++) {
    await subject.call();
    await direct0?.call();
    await baseline?.call();
    await spawnTrue();
  }
  const loadBefore = load();
  const direct = [];
  const sealed = [];
  const old = [];
  const unspawned = [];
  const cpuBefore = { subject: subject.cpu(), baseline: baseline?.cpu(), direct0: direct0?.cpu() };
  for (let i = 0; i < ROUNDS; i++) {
    direct.push(await timed(spawnTrue));
    sealed.push(await timed(subject.call));
    if (direct0 !== undefined) unspawned.push(await timed(direct0.call));
    if (baseline !== undefined) old.push(await timed(baseline.call));
  }
  // The server's own CPU time per call (its children not included), at 10 ms clock ticks.
  const cpuPerCall = {
    subject: (subject.cpu() - cpuBefore.subject) / ROUNDS,
    baseline: baseline === undefined ? undefined : (baseline.cpu() - cpuBefore.baseline) / ROUNDS,
    direct0: direct0 === undefined ? undefined : (direct0.cpu() - cpuBefore.direct0) / ROUNDS,
  };
  await subject.client.close();
  await direct0?.client.close();
  await baseline?.client.close();
  console.log(
    `run_sealed round trip for /bin/true over stdio, median of ${ROUNDS} interleaved rounds (load ${loadBefore} before, ${load()} after; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set'}):`,
  );
  console.log(
    `  server ${withSpawner ? 'with its sealed spawner' : 'without the spawner (BENCH_SPAWNER=0)'}`,
  );
  console.log(`  baseline: spawn /bin/true directly   ${median(direct).toFixed(2)} ms`);
  console.log(`  run_sealed over stdio                ${median(sealed).toFixed(2)} ms`);
  const added = median(sealed.map((value, i) => value - direct[i]));
  console.log(
    `  ratio                                ${(median(sealed) / median(direct)).toFixed(1)}x`,
  );
  console.log(
    `  over the direct spawn                +${added.toFixed(2)} ms (paired); target <= +${TARGET_MS} ms: ${added <= TARGET_MS ? 'met' : 'NOT met'}`,
  );
  console.log(`  server CPU time per call             ${cpuPerCall.subject.toFixed(2)} ms`);
  if (direct0 !== undefined) {
    const oldAdded = median(unspawned.map((value, i) => value - direct[i]));
    const saved = median(unspawned.map((value, i) => value - sealed[i]));
    console.log('  the same server with --no-spawner (each run spawned by the server)');
    console.log(
      `    run_sealed ${median(unspawned).toFixed(2)} ms, +${oldAdded.toFixed(2)} ms over the direct spawn; the spawner saves ${saved.toFixed(2)} ms per call (paired), ${(median(unspawned) / median(sealed)).toFixed(2)}x`,
    );
    console.log(
      `    server CPU time per call ${cpuPerCall.direct0.toFixed(2)} ms; with the spawner ${(cpuPerCall.direct0 / cpuPerCall.subject).toFixed(2)}x less`,
    );
  }
  if (baseline !== undefined) {
    const oldAdded = median(old.map((value, i) => value - direct[i]));
    const saved = median(old.map((value, i) => value - sealed[i]));
    console.log(`  baseline server (${baselineServer})`);
    console.log(
      `    run_sealed ${median(old).toFixed(2)} ms, +${oldAdded.toFixed(2)} ms over the direct spawn; this build saves ${saved.toFixed(2)} ms per call (paired), ${(median(old) / median(sealed)).toFixed(2)}x`,
    );
    console.log(
      `    server CPU time per call ${cpuPerCall.baseline.toFixed(2)} ms; this build ${(cpuPerCall.baseline / cpuPerCall.subject).toFixed(2)}x less`,
    );
  }
} finally {
  await rm(project, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
}
