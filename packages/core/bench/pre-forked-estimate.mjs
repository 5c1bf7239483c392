// What a pre-forked native spawner would save (#17, MCP run_sealed <= +5 ms):
// today spawnSealed forks this Node process for every sealed run (its page
// tables copied, ~70 MB resident with core loaded, as the MCP server is),
// then the native init makes the namespaces. A small helper started once
// could be asked over a pipe to do the same start without that fork. The
// helper here (pre-forked-estimate.c) does only the start of a sealed
// /bin/true through the real native init, so the figure is an upper bound of
// the saving: a real spawner also passes the output pipes, the TTL and the
// exit status. Interleaved round by round with spawnSealed and a direct spawn.
// Run: pnpm --filter @ironrun/core... build && node packages/core/bench/pre-forked-estimate.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeIsolation, spawnSealed } from '@ironrun/sandbox';

const runs = Number(process.env.BENCH_RUNS ?? 100);
const report = await probeIsolation();
if (!report.pidNamespace || !report.nativeInit || report.seccomp !== true) {
  console.log('pre-forked estimate: skipped: needs user and PID namespaces and the native init');
  process.exit(0);
}
// The server's size: core and everything it loads.
await import('../dist/index.js');
const scratch = mkdtempSync(join(tmpdir(), 'ironrun-pre-forked-'));
const helperPath = join(scratch, 'pre-forked-estimate');
execFileSync('gcc', [
  '-O2',
  '-o',
  helperPath,
  fileURLToPath(new URL('./pre-forked-estimate.c', import.meta.url)),
]);
const helper = spawn(helperPath, [report.nativeInit], { stdio: ['pipe', 'pipe', 'inherit'] });
let answer;
helper.stdout.on('data', (data) => answer?.(String(data)));
const viaHelper = () =>
  new Promise((resolve, reject) => {
    answer = (text) => {
      answer = undefined;
      if (text === 'y') resolve();
      else reject(new Error(`the helper's sealed run failed (${text})`));
    };
    helper.stdin.write('x');
  });
const viaSpawnSealed = async () => {
  const child = await spawnSealed({ argv: ['/bin/true'], cwd: '/', ttlMs: 10_000 });
  child.stdout.resume();
  child.stderr.resume();
  const result = await child.result;
  if (result.exitCode !== 0) throw new Error(`spawnSealed: exit ${result.exitCode}`);
};
const direct = () =>
  new Promise((resolve, reject) =>
    spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] })
      .on('error', reject)
      .on('close', resolve),
  );
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const timed = async (once) => {
  const start = performance.now();
  await once();
  return performance.now() - start;
};

try {
  for (let i = 0; i < 10; i++) {
    await direct();
    await viaSpawnSealed();
    await viaHelper();
  }
  const before = loadavg()[0].toFixed(2);
  const times = { direct: [], sealed: [], helper: [] };
  for (let i = 0; i < runs; i++) {
    times.direct.push(await timed(direct));
    times.sealed.push(await timed(viaSpawnSealed));
    times.helper.push(await timed(viaHelper));
  }
  const saved = median(times.sealed.map((value, i) => value - times.helper[i]));
  console.log(
    `pre-forked spawner estimate, median of ${runs} interleaved rounds (load ${before} -> ${loadavg()[0].toFixed(2)}, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB):`,
  );
  console.log(
    `  baseline: child_process.spawn /bin/true        ${median(times.direct).toFixed(2)} ms`,
  );
  console.log(
    `  spawnSealed /bin/true (this process forks)     ${median(times.sealed).toFixed(2)} ms`,
  );
  console.log(
    `  the same start asked of a pre-started helper   ${median(times.helper).toFixed(2)} ms`,
  );
  console.log(
    `  saving per run: ${saved.toFixed(2)} ms (paired; an upper bound); sealed ${(median(times.sealed) / median(times.direct)).toFixed(2)}x the direct spawn, the helper's start ${(median(times.helper) / median(times.direct)).toFixed(2)}x; target (#17) <= 2x, and MCP <= +5 ms`,
  );
} finally {
  helper.stdin.end();
  rmSync(scratch, { recursive: true, force: true });
}
