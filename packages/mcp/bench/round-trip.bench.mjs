// run_sealed round trip for /bin/true over stdio (one connected client) vs
// spawning /bin/true directly from node, alternating call by call in the same
// run. Median of ROUNDS calls each. Target (#17): the round trip at most 5 ms
// over the direct spawn (median of the per-round differences).
// Run: pnpm --filter @ironrun/mcp... build && node packages/mcp/bench/round-trip.bench.mjs
import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

const project = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-bench-')));
const configDir = await mkdtemp(join(tmpdir(), 'ironrun-bench-config-'));
try {
  const policyPath = join(project, 'ironrun.yml');
  await writeFile(
    policyPath,
    'version: 1\nprovider: envfile\ncommands:\n  - id: "true"\n    argv: [/bin/true]\n',
  );
  await trust(policyPath, { configDir });
  const client = new Client({ name: 'ironrun-bench', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [server, '--policy', policyPath, '--config-dir', configDir, '--no-runs'],
    }),
  );
  const call = async () => {
    const result = await client.callTool({ name: 'run_sealed', arguments: { id: 'true' } });
    if (result.isError || result.structuredContent?.exit_code !== 0)
      throw new Error(JSON.stringify(result));
  };
  for (let i = 0; i < 5; i++) {
    await call();
    await spawnTrue();
  }
  const direct = [];
  const sealed = [];
  for (let i = 0; i < ROUNDS; i++) {
    direct.push(await timed(spawnTrue));
    sealed.push(await timed(call));
  }
  await client.close();
  console.log(`run_sealed round trip for /bin/true over stdio, median of ${ROUNDS}:`);
  console.log(`  spawn /bin/true directly   ${median(direct).toFixed(2)} ms`);
  console.log(`  run_sealed over stdio      ${median(sealed).toFixed(2)} ms`);
  const added = median(sealed.map((value, i) => value - direct[i]));
  console.log(`  ratio                      ${(median(sealed) / median(direct)).toFixed(1)}x`);
  console.log(
    `  over the direct spawn      +${added.toFixed(2)} ms (paired); target <= +${TARGET_MS} ms: ${added <= TARGET_MS ? 'met' : 'NOT met'}`,
  );
} finally {
  await rm(project, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
}
