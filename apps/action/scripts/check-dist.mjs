#!/usr/bin/env node
// Fails when the committed dist/ is not exactly what `pnpm build` makes from
// the source at the same commit. dist/ is committed on release tags only (see
// README); where it is not committed there is nothing to compare, unless
// --require-committed says there must be (the release check).
//
//   node scripts/check-dist.mjs                      compare HEAD's dist/ with a fresh build
//   node scripts/check-dist.mjs --require-committed  also fail when HEAD has no dist/
//   node scripts/check-dist.mjs --against <dir>      compare <dir> instead of HEAD's dist/
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { actionDir, bundleAction } from './bundle-action.mjs';

/**
 * The differences between a fresh build and the files it is compared with,
 * as sentences; empty when they are byte for byte the same.
 * @param {Map<string, Buffer>} fresh
 * @param {Map<string, Buffer>} committed
 * @returns {string[]}
 */
export function compareDist(fresh, committed) {
  const problems = [];
  for (const [name, bytes] of fresh) {
    const other = committed.get(name);
    if (other === undefined) problems.push(`dist/${name} is missing`);
    else if (!other.equals(bytes)) problems.push(`dist/${name} differs from a fresh build`);
  }
  for (const name of committed.keys()) {
    if (!fresh.has(name)) problems.push(`dist/${name} is not produced by the build any more`);
  }
  return problems.sort();
}

/** Every file of a directory (flat, as dist/ is), by name. */
export async function readDistDir(dir) {
  const files = new Map();
  for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
  return files;
}

/** The dist/ files committed at HEAD in the folder `dir` of a git checkout, by name; empty when none is committed. */
export function readCommittedDist(dir = actionDir) {
  const git = (args, encoding) =>
    execFileSync('git', args, { cwd: dir, encoding, maxBuffer: 1 << 30 });
  const names = git(['ls-tree', '-r', '--name-only', 'HEAD', '--', 'dist/'], 'utf8')
    .split('\n')
    .filter(Boolean);
  const files = new Map();
  for (const path of names)
    files.set(path.slice('dist/'.length), git(['cat-file', 'blob', `HEAD:./${path}`]));
  return files;
}

async function main(argv) {
  const requireCommitted = argv.includes('--require-committed');
  const againstIndex = argv.indexOf('--against');
  const against = againstIndex === -1 ? undefined : argv[againstIndex + 1];
  const committed = against === undefined ? readCommittedDist() : await readDistDir(against);
  const source = against === undefined ? "HEAD's dist/" : against;
  if (committed.size === 0) {
    if (requireCommitted) {
      console.error(
        `check-dist: ${source} has no files, and this ref must carry the built action. Run pnpm build and commit apps/action/dist.`,
      );
      return 1;
    }
    console.log(
      'check-dist: dist/ is not committed here (it is on release tags only); nothing to compare.',
    );
    return 0;
  }
  const out = await mkdtemp(join(tmpdir(), 'ironrun-action-dist-'));
  try {
    await bundleAction(out);
    const problems = compareDist(await readDistDir(out), committed);
    if (problems.length === 0) {
      console.log(`check-dist: ${source} matches a fresh build (${committed.size} files).`);
      return 0;
    }
    console.error(`check-dist: ${source} is stale:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    console.error('Rebuild with `pnpm build` and commit apps/action/dist.');
    return 1;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
