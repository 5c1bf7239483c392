// A forwarded run (client → unix socket → broker → runSealed → back) against the same runSealed
// call made in process, on a trivial command with one secret, interleaved in the same run.
// Target: the broker adds ≤ 5 ms per call (median).
// Run: pnpm --filter @ironrun/core build && node packages/core/bench/broker.bench.mjs
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { connectBroker, runSealed, startBroker } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const providers = { envfile: () => import('@ironrun/providers-envfile') };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const dir = await mkdtemp(join(tmpdir(), 'ironrun-bench-broker-'));
const configDir = join(dir, 'config');
const secret = `sk_bench_${randomBytes(12).toString('hex')}`;
await writeFile(join(dir, 'secrets.env'), `TOKEN=${secret}\n`, { mode: 0o600 });
const policyPath = join(dir, 'project', 'ironrun.yml');
await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'project')));
await writeFile(
  policyPath,
  [
    'version: 1',
    `provider: { name: envfile, path: ${join(dir, 'secrets.env')} }`,
    'commands:',
    '  - id: echo',
    '    argv: [/bin/echo, hello]',
    '    env: { TOKEN: envfile://TOKEN }',
    '',
  ].join('\n'),
);
await trust(policyPath, { configDir });
const broker = await startBroker({
  socketPath: join(dir, 'broker.sock'),
  providers,
  configDir,
  env: {},
});

const direct = () => runSealed({ policy: policyPath, commandId: 'echo', providers, configDir });
// As the clients inside do it: one connection per call.
const forwarded = async () => {
  const client = await connectBroker(broker.socketPath);
  try {
    return await client.runSealed({ policy: policyPath, commandId: 'echo' });
  } finally {
    client.close();
  }
};

try {
  for (let i = 0; i < 3; i++) {
    await direct();
    await forwarded();
  }
  const inProcess = [];
  const viaBroker = [];
  for (let i = 0; i < ROUNDS; i++) {
    const a = await timed(direct);
    const b = await timed(forwarded);
    if (a.value.stdout !== 'hello\n' || b.value.stdout !== 'hello\n')
      throw new Error('wrong output');
    inProcess.push(a.ms);
    viaBroker.push(b.ms);
  }
  const added = median(viaBroker) - median(inProcess);
  console.log(`broker: forwarded runSealed vs in process, ${ROUNDS} interleaved rounds (median)`);
  console.log(`  runSealed in process        ${median(inProcess).toFixed(2)} ms`);
  console.log(`  through the broker socket   ${median(viaBroker).toFixed(2)} ms`);
  console.log(
    `  added by the broker         ${added.toFixed(2)} ms (target ≤ 5 ms: ${added <= 5 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  ratio                       ${(median(viaBroker) / median(inProcess)).toFixed(3)}x`,
  );
} finally {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
}
