#!/usr/bin/env node
// `pnpm --filter @ironrun/binary bench`: builds the host binary stripped and
// unstripped, then prints
//   - their sizes, and the size of the node binary they are made from;
//   - cold start: the median wall time of `ironrun --version` against
//     `node packages/cli/dist/cli.js --version`, as a ratio;
//   - a sealed run: `ironrun run noop` (a /bin/true command, PID namespace
//     and init included where available) against the same through node.
// Runs alternate between the two sides so load on the machine hits both alike.
//
// usage: node scripts/bench-binary.mjs [--runs 25]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '25' } } });
const runs = Math.max(20, Number.parseInt(values.runs, 10) || 25);
const appDir = resolve(import.meta.dirname, '..');
const host = `${process.platform}-${process.arch}`;
const require = createRequire(import.meta.url);
const cliJs = join(dirname(require.resolve('@ironrun/cli/package.json')), 'dist', 'cli.js');

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const ms = (value) => `${value.toFixed(1)} ms`;

function buildInto(dir, extra) {
  execFileSync(
    process.execPath,
    [join(appDir, 'scripts', 'build-binary.mjs'), '--out-dir', dir, ...extra],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return join(dir, `ironrun-${host}`);
}

const benchDir = join(appDir, 'build', 'bench');
const stripped = buildInto(join(benchDir, 'stripped'), []);
const unstripped = buildInto(join(benchDir, 'unstripped'), ['--no-strip']);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeOnce(command, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: 'ignore', ...options });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return elapsed;
}

/** Median wall times of two commands, run alternately `runs` times after one warm-up each. */
function compare(a, b, options) {
  timeOnce(...a, options);
  timeOnce(...b, options);
  const times = [[], []];
  for (let i = 0; i < runs; i++) {
    times[0].push(timeOnce(...a, options));
    times[1].push(timeOnce(...b, options));
  }
  return times.map(median);
}

console.log(`ironrun binary bench (${host}, Node ${process.versions.node}, ${runs} runs each)\n`);
console.log('size');
console.log(`  node binary it is made from   ${mib(statSync(process.execPath).size)}`);
console.log(`  ironrun, unstripped           ${mib(statSync(unstripped).size)}`);
console.log(`  ironrun, stripped (released)  ${mib(statSync(stripped).size)}`);
const strippedDir = dirname(stripped);
const seaConfig = JSON.parse(readFileSync(join(strippedDir, 'sea-prep-code-cache.json'), 'utf8'));
const blobSize = statSync(seaConfig.output).size;
const bundleSize = statSync(seaConfig.main).size;
const assetSize = Object.values(seaConfig.assets).reduce(
  (sum, path) => sum + statSync(path).size,
  0,
);
console.log(`    of which the SEA blob        ${mib(blobSize)}:`);
console.log(`      JavaScript bundle          ${mib(bundleSize)}`);
console.log(`      1Password SDK core (wasm)  ${mib(assetSize)}`);
console.log(`      V8 code cache and header   ${mib(blobSize - bundleSize - assetSize)}`);

const [binaryVersion, nodeVersion] = compare(
  [stripped, ['--version']],
  [process.execPath, [cliJs, '--version']],
  {},
);
console.log('\ncold start: --version (median)');
console.log(`  ironrun --version                      ${ms(binaryVersion)}`);
console.log(`  node packages/cli/dist/cli.js --version ${ms(nodeVersion)}`);
console.log(
  `  ratio binary / node                     ${(binaryVersion / nodeVersion).toFixed(2)}×`,
);

// A sealed run of /bin/true: resolve (no secrets), spawn with the init, redact, exit.
const project = mkdtempSync(join(tmpdir(), 'ironrun-bench-'));
const config = mkdtempSync(join(tmpdir(), 'ironrun-bench-config-'));
try {
  writeFileSync(
    join(project, 'ironrun.yml'),
    'version: 1\nprovider: envfile\ncommands:\n  - id: noop\n    argv: [/bin/true]\n',
  );
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'secrets.env'), '', { mode: 0o600 });
  const options = { cwd: project, env: { PATH: '/usr/bin:/bin', IRONRUN_CONFIG_DIR: config } };
  execFileSync(stripped, ['trust', '--yes'], { ...options, stdio: 'ignore' });
  const [binaryRun, nodeRun] = compare(
    [stripped, ['run', 'noop']],
    [process.execPath, [cliJs, 'run', 'noop']],
    options,
  );
  console.log('\nsealed run of /bin/true: ironrun run noop (median)');
  console.log(`  binary  ${ms(binaryRun)}`);
  console.log(`  node    ${ms(nodeRun)}`);
  console.log(`  ratio   ${(binaryRun / nodeRun).toFixed(2)}×`);
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(config, { recursive: true, force: true });
}
