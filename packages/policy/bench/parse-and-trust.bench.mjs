// parsePolicy on policies of 1, 10 and 100 commands, against yaml's own
// parseDocument + toJS of the same text (the floor: what parsing alone costs),
// and checkTrust on a policy pinning 100 scripts of 10 KiB each.
// Run: pnpm --filter @ironrun/policy build && pnpm --filter @ironrun/policy bench
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { checkTrust, parsePolicy, trust } from '../dist/index.js';

function policyText(commands) {
  const lines = ['version: 1', 'provider: 1password', 'defaults: { ttl: 2m }', 'commands:'];
  for (let i = 0; i < commands; i++) {
    lines.push(
      `  - id: command-${i}`,
      `    description: Command number ${i}`,
      `    argv: [node, scripts/s${i}.js, --flag]`,
      '    env:',
      `      SECRET_A: op://vault/item-${i}/field`,
      `      SECRET_B: op://vault/item-${i}/section/field`,
      '      NODE_ENV: production',
      '    ttl: 30s',
      '    no_network: true',
      '    args: { pattern: "[a-z0-9-]+", max: 2 }',
      '    max_output: 64KiB',
    );
  }
  return `${lines.join('\n')}\n`;
}

function time(label, iterations, run) {
  for (let i = 0; i < iterations; i++) run(); // warm up: same count as measured
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const perCall = Number(process.hrtime.bigint() - start) / iterations / 1e3;
  console.log(`${label.padEnd(44)} ${perCall.toFixed(1).padStart(9)} µs/call`);
  return perCall;
}

for (const commands of [1, 10, 100]) {
  const text = policyText(commands);
  const iterations = commands === 100 ? 200 : 2000;
  const floor = time(`yaml parseDocument+toJS, ${commands} commands`, iterations, () =>
    parseDocument(text).toJS(),
  );
  const full = time(`parsePolicy, ${commands} commands`, iterations, () =>
    parsePolicy(text, { filename: '/srv/app/ironrun.yml' }),
  );
  console.log(`${''.padEnd(44)} ${(full / floor).toFixed(2).padStart(9)} × the YAML floor`);
}

const dir = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-bench-')));
const config = join(dir, '.config-outside');
const project = join(dir, 'project');
try {
  await writeFile(join(dir, 'placeholder'), '');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(project, 'scripts'), { recursive: true });
  const body = 'x'.repeat(10 * 1024);
  for (let i = 0; i < 100; i++) await writeFile(join(project, 'scripts', `s${i}.js`), body);
  await writeFile(join(project, 'ironrun.yml'), policyText(100));
  await trust(join(project, 'ironrun.yml'), { configDir: config });
  const rounds = 100;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const check = await checkTrust(join(project, 'ironrun.yml'), { configDir: config });
    if (check.status !== 'trusted') throw new Error(`unexpected ${check.status}`);
  }
  const perCall = Number(process.hrtime.bigint() - start) / rounds / 1e6;
  console.log(
    `${'checkTrust, 100 pinned files of 10 KiB'.padEnd(44)} ${perCall.toFixed(2).padStart(9)} ms/call`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
