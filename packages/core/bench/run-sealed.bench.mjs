// runSealed end to end: 100 secrets, 100 MB of output (one secret per ~10 KiB),
// against the same generator spawned directly with stdout on /dev/null, and
// read through a pipe by node and discarded.
// Run: pnpm --filter @ironrun/core build && node packages/core/bench/run-sealed.bench.mjs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { runSealed } from '../dist/index.js';

const SECRETS = 100;
const TOTAL_BYTES = 100 * 1000 * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const generator = `
const names = Object.keys(process.env).filter((name) => name.startsWith('SECRET_')).sort();
const secrets = names.map((name) => process.env[name]);
const lines = [];
let size = 0;
for (let i = 0; size < 1_000_000; i++) {
  const line = i % 40 === 0 ? 'using key ' + secrets[i % secrets.length] + ' for request ' + i + '\\n'
                            : 'log line ' + i + ' ' + 'lorem ipsum dolor sit amet '.repeat(9) + '\\n';
  lines.push(line);
  size += Buffer.byteLength(line);
}
const block = Buffer.from(lines.join(''));
const total = Number(process.argv[2]);
let written = 0;
function write() {
  while (written < total) {
    const chunk = block.subarray(0, Math.min(block.length, total - written));
    written += chunk.length;
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', write);
  }
}
write();
`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function runDirect(node, script, env, stdout) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, String(TOTAL_BYTES)], {
      env,
      stdio: ['ignore', stdout, 'inherit'],
    });
    if (stdout === 'pipe') child.stdout.on('data', () => {});
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`generator exited ${code}`)),
    );
  });
}

const project = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-bench-')));
const secretsDir = await mkdtemp(join(tmpdir(), 'ironrun-bench-secrets-'));
const configDir = await mkdtemp(join(tmpdir(), 'ironrun-bench-config-'));
try {
  const node = await realpath(process.execPath);
  const secrets = Array.from({ length: SECRETS }, () => randomBytes(18).toString('base64url'));
  const names = secrets.map((_, i) => `SECRET_${String(i).padStart(3, '0')}`);
  await writeFile(join(project, 'gen.cjs'), generator);
  await writeFile(
    join(secretsDir, 'secrets.env'),
    names.map((name, i) => `${name}=${secrets[i]}\n`).join(''),
    { mode: 0o600 },
  );
  const env = names.map((name) => `      ${name}: envfile://${name}\n`).join('');
  await writeFile(
    join(project, 'ironrun.yml'),
    `version: 1\nprovider:\n  name: envfile\n  path: ${join(secretsDir, 'secrets.env')}\ncommands:\n` +
      `  - id: flood\n    argv: [${JSON.stringify(node)}, gen.cjs, "${TOTAL_BYTES}"]\n    ttl: 10m\n    pin: [gen.cjs]\n    env:\n${env}`,
  );
  const policyPath = join(project, 'ironrun.yml');
  await trust(policyPath, { configDir });
  const directEnv = Object.fromEntries(names.map((name, i) => [name, secrets[i]]));
  const script = join(project, 'gen.cjs');
  const providers = { envfile: () => import('@ironrun/providers-envfile') };

  const devNull = openSync('/dev/null', 'w');
  const sealed = [];
  const toNull = [];
  const throughPipe = [];
  let last;
  for (let round = 0; round < ROUNDS; round++) {
    toNull.push((await timed(() => runDirect(node, script, directEnv, devNull))).ms);
    throughPipe.push((await timed(() => runDirect(node, script, directEnv, 'pipe'))).ms);
    const run = await timed(() =>
      runSealed({ policy: policyPath, commandId: 'flood', providers, configDir }),
    );
    sealed.push(run.ms);
    last = run.value;
  }
  closeSync(devNull);
  if (last.exitCode !== 0) throw new Error(`sealed run exited ${last.exitCode}: ${last.stderr}`);
  for (const secret of secrets)
    if (last.stdout.includes(secret)) throw new Error('a secret leaked');
  const mb = TOTAL_BYTES / 1e6;
  console.log(
    `runSealed, ${SECRETS} secrets, ${mb} MB output, ${last.redactions} redactions, median of ${ROUNDS}:`,
  );
  console.log(`  generator > /dev/null        ${median(toNull).toFixed(0)} ms`);
  console.log(`  generator | node (discard)   ${median(throughPipe).toFixed(0)} ms`);
  console.log(
    `  runSealed                    ${median(sealed).toFixed(0)} ms  (${(mb / (median(sealed) / 1000)).toFixed(0)} MB/s)`,
  );
  console.log(`  ratio vs /dev/null           ${(median(sealed) / median(toNull)).toFixed(2)}x`);
  console.log(
    `  ratio vs pipe to node        ${(median(sealed) / median(throughPipe)).toFixed(2)}x`,
  );
} finally {
  await rm(project, { recursive: true, force: true });
  await rm(secretsDir, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
}
