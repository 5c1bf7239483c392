// A forwarded run (client → unix socket → broker → runSealed → back) against the same runSealed
// call made in process, on a trivial command with one secret, interleaved in the same run.
// Target: the broker adds ≤ 5 ms per call (median).
// Run: pnpm --filter @ironrun/core build && node packages/core/bench/broker.bench.mjs
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import {
  builtinProviderDeclarations,
  connectBroker,
  runSealed,
  startBroker,
} from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const providers = { envfile: () => import('@ironrun/providers-envfile') };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

function spread(values) {
  return `${median(values).toFixed(2)} ms (p25–p75 ${quantile(values, 0.25).toFixed(2)}–${quantile(values, 0.75).toFixed(2)})`;
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
await trust(policyPath, { configDir, providers: builtinProviderDeclarations() });
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
    // Alternate which goes first, so neither always runs on a warmer machine.
    const first = i % 2 === 0;
    const a = first ? await timed(direct) : undefined;
    const b = await timed(forwarded);
    const a2 = a ?? (await timed(direct));
    if (a2.value.stdout !== 'hello\n' || b.value.stdout !== 'hello\n')
      throw new Error('wrong output');
    inProcess.push(a2.ms);
    viaBroker.push(b.ms);
  }
  // The hop alone, without the noise of a spawn: the same broker protocol in front of a runSealed
  // that returns at once (connect, hello, request, result, close).
  const stubResult = {
    exitCode: 0,
    signal: null,
    durationMs: 0,
    stdout: 'hello\n',
    stderr: '',
    timedOut: false,
    canceled: false,
    truncated: false,
    redactions: 0,
    stdoutBytes: 6,
    stderrBytes: 0,
  };
  const stub = await startBroker({
    socketPath: join(dir, 'stub.sock'),
    runSealed: async () => stubResult,
  });
  const hop = [];
  try {
    for (let i = 0; i < ROUNDS * 5; i++) {
      const call = async () => {
        const client = await connectBroker(stub.socketPath);
        try {
          return await client.runSealed({ policy: policyPath, commandId: 'echo' });
        } finally {
          client.close();
        }
      };
      hop.push((await timed(call)).ms);
    }
  } finally {
    await stub.close();
  }
  // Paired: each round's forwarded call against the in-process call of the same round, so the
  // machine's drift between rounds cancels out.
  const differences = viaBroker.map((ms, i) => ms - (inProcess[i] ?? 0));
  const added = median(differences);
  console.log(`broker: forwarded runSealed vs in process, ${ROUNDS} interleaved rounds (median)`);
  console.log(`  runSealed in process        ${spread(inProcess)}`);
  console.log(`  through the broker socket   ${spread(viaBroker)}`);
  console.log(
    `  added by the broker         ${added.toFixed(2)} ms, paired (p25–p75 ${quantile(differences, 0.25).toFixed(2)}–${quantile(differences, 0.75).toFixed(2)}) (target ≤ 5 ms: ${added <= 5 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  ratio                       ${(median(viaBroker) / median(inProcess)).toFixed(3)}x`,
  );
  console.log(
    `  the hop alone (stub run)    ${median(hop).toFixed(2)} ms, ${ROUNDS * 5} calls (target ≤ 5 ms: ${median(hop) <= 5 ? 'met' : 'NOT met'})`,
  );
} finally {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
}
