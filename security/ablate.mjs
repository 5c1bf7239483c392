#!/usr/bin/env node
// Runs the runSealed attack cases once per layer with that layer switched off
// (IRONRUN_ABLATE, see src/ablation.ts) and prints which attacks then succeed.
// Usage: node security/ablate.mjs [layer...]   (from anywhere; needs the packages built)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const all = [
  'redactor',
  'variants',
  'sandbox-env',
  'allowlist',
  'ttl',
  'process-tree',
  'no-network',
  'trust',
  'policy-args',
  'fail-closed',
];
const layers = process.argv.length > 2 ? process.argv.slice(2) : ['none', ...all];
const work = mkdtempSync(join(tmpdir(), 'ironrun-ablate-'));
const failedBy = new Map();

for (const layer of layers) {
  const report = join(work, `${layer}.json`);
  const env = { ...process.env };
  if (layer === 'none') delete env.IRONRUN_ABLATE;
  else env.IRONRUN_ABLATE = layer;
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--project',
      'security',
      'test/core-attacks.test.ts',
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const results = JSON.parse(readFileSync(report, 'utf8'));
  const failed = results.testResults
    .flatMap((file) => file.assertionResults)
    .filter((test) => test.status === 'failed')
    .map((test) => test.title);
  failedBy.set(layer, failed);
  process.stdout.write(`${layer}: ${failed.length} attack cases fail\n`);
}
rmSync(work, { recursive: true, force: true });

const baseline = new Set(failedBy.get('none') ?? []);
process.stdout.write('\n| layer switched off | attacks that then succeed |\n|---|---|\n');
for (const [layer, failed] of failedBy) {
  if (layer === 'none') continue;
  const broken = failed.filter((title) => !baseline.has(title));
  process.stdout.write(`| ${layer} | ${broken.length}: ${broken.join('; ') || '(none)'} |\n`);
}
if (baseline.size > 0)
  process.stdout.write(`\nAlready failing with every layer on: ${[...baseline].join('; ')}\n`);
