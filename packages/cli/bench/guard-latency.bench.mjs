// The guard's cost per tool call: `node dist/guard.cjs` (what `init` registers as the
// Claude Code, Cursor and Gemini CLI hook), `node dist/guard.js` (the ES entry older
// settings name; it loads guard.cjs), `ironrun guard` through the bin as installed (package.json
// `bin`, dist/cli.cjs: what `init --bin ironrun` registers), and guard.cjs on Cursor's
// input, each against `node -e 0` measured in the same run, rounds interleaved, on a
// project with a policy. Target: median ≤ 1.3× `node -e 0`.
// Run: pnpm --filter @ironrun/cli build && node packages/cli/bench/guard-latency.bench.mjs
// (BENCH_ROUNDS=n; BENCH_OLD_GUARD=<another build's dist/guard.js> adds it to the rounds).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 41);
const guardPath = fileURLToPath(new URL('../dist/guard.cjs', import.meta.url));
const esGuardPath = fileURLToPath(new URL('../dist/guard.js', import.meta.url));
const bin = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).bin
  .ironrun;
const cliPath = fileURLToPath(new URL(`../${bin}`, import.meta.url));

const project = await mkdtemp(join(tmpdir(), 'ironrun-guard-bench-'));
// The guard keeps its policy cache in the config folder: a fresh one per run.
const env = { ...process.env, IRONRUN_CONFIG_DIR: join(project, 'config') };
await writeFile(
  join(project, 'ironrun.yml'),
  [
    'version: 1',
    'provider:',
    '  name: envfile',
    '  path: ~/secrets/app.env',
    'commands:',
    '  - id: deploy',
    '    argv: [./scripts/deploy.sh, --prod]',
    '    env:',
    '      STRIPE_KEY: envfile://STRIPE_KEY',
    '  - id: test',
    '    argv: [npm, test]',
    '',
  ].join('\n'),
);
const input = JSON.stringify({
  session_id: 'bench',
  transcript_path: '/tmp/x.jsonl',
  cwd: project,
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'git status && npm test 2>&1 | tail -20', description: 'status' },
});

// The same call as Cursor's beforeShellExecution hook sends it (answered with `{}`).
const cursorInput = JSON.stringify({
  conversation_id: 'bench',
  generation_id: 'bench',
  workspace_roots: [project],
  hook_event_name: 'beforeShellExecution',
  command: 'git status && npm test 2>&1 | tail -20',
  cwd: project,
});

function once(args) {
  const cursor = args[args.length - 1] === 'cursor';
  const argv = cursor ? args.slice(0, -1) : args;
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, argv, {
    cwd: project,
    env,
    input: cursor ? cursorInput : input,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0 || run.stdout !== (cursor ? '{}\n' : '')) {
    throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stdout}${run.stderr}`);
  }
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const target = 1.3;
const cases = {
  'node -e 0': ['-e', '0'],
  'node dist/guard.cjs': [guardPath],
  'node dist/guard.js': [esGuardPath],
  [`node ${bin.replace(/^\.\//, '')} guard (the bin)`]: [cliPath, 'guard'],
  'node dist/guard.cjs (Cursor)': [guardPath, 'cursor'],
  // Optional: an older build's entry in the same rounds (e.g. a worktree of an earlier commit).
  ...(process.env.BENCH_OLD_GUARD
    ? { 'old guard (BENCH_OLD_GUARD)': [process.env.BENCH_OLD_GUARD] }
    : {}),
};
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
// Warm the file cache and the guard's policy cache (a miss loads `yaml`).
for (const args of Object.values(cases)) once(args);
const missStart = process.hrtime.bigint();
spawnSync(process.execPath, [guardPath], {
  cwd: project,
  env: { ...env, IRONRUN_CONFIG_DIR: join(project, 'cold-config') },
  input,
});
const missMs = Number(process.hrtime.bigint() - missStart) / 1e6;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(cases)) times[name].push(once(args));
}
await rm(project, { recursive: true, force: true });

const baseline = median(times['node -e 0']);
const [load1] = loadavg();
console.log(
  `guard latency, median of ${ROUNDS} interleaved rounds (target ≤ ${target}× node -e 0; load average ${load1.toFixed(1)})`,
);
console.log(`  (one call with a cold policy cache: ${missMs.toFixed(1)} ms)`);
for (const [name, values] of Object.entries(times)) {
  const ms = median(values);
  const ratio = ms / baseline;
  const verdict = name === 'node -e 0' ? 'baseline' : ratio <= target ? 'met' : 'NOT met';
  console.log(
    `  ${name.padEnd(36)} ${ms.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}×  ${verdict}`,
  );
}
