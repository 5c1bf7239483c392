#!/usr/bin/env node
// `pnpm action:release-tree <dir>`: lays out in <dir> exactly the tree a
// release tag of the action (vX.Y.Z, and the moving v1) holds: every file of
// the repository that git would commit (tracked, or new and not ignored),
// plus apps/action/dist freshly bundled from that source, with the 1Password
// WebAssembly core beside the bundle. Ordinary commits never hold dist/; the
// release workflow commits this tree (release.mjs) and the tests run the
// action from it, as a runner that checked out the tag would.
//
// The workspace packages must be built first (`pnpm build`): the bundle
// inlines their dist/.
import { execFileSync } from 'node:child_process';
import { copyFile, lstat, mkdir, readdir, readFile, readlink, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { actionDir, bundleAction } from './bundle-action.mjs';

/** The repository root: action.yml sits there, so `uses: <owner>/ironrun@v1` finds it. */
export const repoRoot = resolve(actionDir, '../..');

/** Where the bundle goes, relative to the tree's root (the folder of action.yml's `runs.main`). */
export const distPath = relative(repoRoot, join(actionDir, 'dist')).split(sep).join('/');

/**
 * The files a release needs in dist/ beside the bundle: without core_bg.wasm
 * the 1Password SDK cannot load, so a tree missing it is refused rather than
 * released.
 */
const requiredDistFiles = ['index.js', 'core_bg.wasm', 'package.json'];

/**
 * The repository's files as `git add -A` would commit them, relative to
 * `root`: tracked files still present, plus untracked files that are not
 * ignored. Never anything under dist/ (it is built, not copied).
 */
export function repositoryFiles(root = repoRoot) {
  const list = (...args) =>
    execFileSync('git', ['ls-files', '-z', ...args], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    })
      .split('\0')
      .filter(Boolean);
  const deleted = new Set(list('--deleted'));
  const files = new Set([...list('--cached'), ...list('--others', '--exclude-standard')]);
  return [...files]
    .filter((path) => !deleted.has(path) && path !== distPath && !path.startsWith(`${distPath}/`))
    .sort();
}

/**
 * Lays out the release tree in `dir` (created; it must not exist or be
 * empty) and returns every file in it, relative to `dir`, sorted. Throws
 * when action.yml's `runs.main` is not in the tree or a required dist/
 * file is missing.
 */
export async function layOutReleaseTree(dir, { root = repoRoot } = {}) {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  if ((await readdir(out)).length > 0) {
    throw new Error(`${out} is not empty; the release tree must be laid out in an empty folder.`);
  }
  for (const path of repositoryFiles(root)) {
    const from = join(root, path);
    const to = join(out, path);
    await mkdir(dirname(to), { recursive: true });
    const stat = await lstat(from);
    // git keeps symbolic links as links and a file's executable bit; so does the tree.
    if (stat.isSymbolicLink()) await symlink(await readlink(from), to);
    else await copyFile(from, to);
  }
  const dist = await bundleAction(join(out, distPath));
  for (const name of requiredDistFiles) {
    if (!dist.includes(name)) {
      throw new Error(
        `the bundle has no ${distPath}/${name}; a release must carry it (is @1password/sdk still bundled?).`,
      );
    }
  }
  const metadata = parse(await readFile(join(out, 'action.yml'), 'utf8'));
  const main = metadata?.runs?.main;
  if (typeof main !== 'string' || isAbsolute(main) || !dist.includes(relative(distPath, main))) {
    throw new Error(
      `action.yml's runs.main (${JSON.stringify(main)}) is not a file of the built ${distPath}/.`,
    );
  }
  return listTree(out);
}

/** Every file (and link) under `dir`, relative to it with `/`, sorted. */
export async function listTree(dir) {
  const files = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    files.push(
      relative(dir, join(entry.parentPath ?? entry.path, entry.name))
        .split(sep)
        .join('/'),
    );
  }
  return files.sort();
}

async function main(argv) {
  const [dir] = argv;
  if (dir === undefined || argv.length !== 1) {
    console.error('usage: pnpm action:release-tree <dir>');
    return 2;
  }
  // pnpm runs root scripts from the root; a relative <dir> means the caller's folder.
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
  try {
    const files = await layOutReleaseTree(out);
    const dist = files.filter((file) => file.startsWith(`${distPath}/`));
    console.log(
      `action: release tree in ${out}: ${files.length} files, ${dist.length} of them built (${dist.join(', ')}).`,
    );
    return 0;
  } catch (error) {
    console.error(`action:release-tree: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
