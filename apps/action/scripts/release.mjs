#!/usr/bin/env node
// `pnpm action:release [--remote origin] [--push] [--allow-dirty]`: makes the
// action's release. The version is @ironrun/action's (package.json, bumped
// by changesets); the tag is v<version>, and v<major> moves with it.
//
//   1. If the remote already has v<version>, there is nothing to do.
//   2. Lays out the release tree (release-tree.mjs) and makes one commit of
//      exactly that tree, whose parent is HEAD: HEAD's files plus
//      apps/action/dist. The commit is on no branch; main never holds dist/.
//   3. Checks the commit: its dist/ is byte for byte a fresh build of the
//      source, and (on a clean checkout) it differs from HEAD only in dist/.
//   4. With --push, pushes v<version> to it and moves v<major> to it, in one
//      atomic push; v<major> moves only if v<version> is the newest release of
//      that major on the remote. Without --push it says what it would push.
//
// Creates no local branch or tag: the commit is pushed by its hash.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { actionDir, bundleAction } from './bundle-action.mjs';
import { compareDist, readDistDir } from './check-dist.mjs';
import { distPath, layOutReleaseTree, repoRoot } from './release-tree.mjs';

/** The action's version and the tags a release of it sets. */
export async function releaseTags() {
  const { version } = JSON.parse(await readFile(join(actionDir, 'package.json'), 'utf8'));
  const parsed = parseVersion(version);
  if (parsed === undefined) throw new Error(`@ironrun/action has no X.Y.Z version (${version}).`);
  return { version, tag: `v${version}`, major: `v${parsed[0]}`, parsed };
}

/** `[major, minor, patch]` of a plain `X.Y.Z`, else undefined (prereleases never move v<major>). */
export function parseVersion(text) {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareVersions(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function git(args, options = {}) {
  return execFileSync('git', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    ...options,
  }).trim();
}

/** The tags of the remote, by name, with the commit each points at. */
function remoteTags(remote) {
  const tags = new Map();
  for (const line of git(['ls-remote', '--tags', remote]).split('\n').filter(Boolean)) {
    const [hash, ref] = line.split('\t');
    const name = ref.replace(/^refs\/tags\//, '');
    // An annotated tag is listed twice; `^{}` is the commit it points at.
    if (name.endsWith('^{}')) tags.set(name.slice(0, -3), hash);
    else if (!tags.has(name)) tags.set(name, hash);
  }
  return tags;
}

/** Makes the commit holding exactly `tree`, with HEAD as its parent, and returns its hash. */
function commitTree(tree, message) {
  const index = join(tree, '..', 'release-index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  const gitDir = git(['rev-parse', '--absolute-git-dir']);
  // --force: the tree's .gitignore ignores dist/, which this commit must hold.
  git(['--git-dir', gitDir, '--work-tree', '.', 'add', '--all', '--force', '.'], {
    env,
    cwd: tree,
  });
  const treeHash = git(['--git-dir', gitDir, 'write-tree'], { env });
  const identity = {
    GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? 'ironrun-release',
    GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? 'release@users.noreply.github.com',
    GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? 'ironrun-release',
    GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? 'release@users.noreply.github.com',
  };
  return git(['commit-tree', treeHash, '-p', 'HEAD', '-m', message], {
    env: { ...process.env, ...identity },
  });
}

/** The dist/ files of `commit`, by name. */
function distOfCommit(commit) {
  const files = new Map();
  const names = git(['ls-tree', '-r', '--name-only', commit, '--', `${distPath}/`])
    .split('\n')
    .filter(Boolean);
  for (const path of names) {
    files.set(
      path.slice(distPath.length + 1),
      execFileSync('git', ['cat-file', 'blob', `${commit}:${path}`], {
        cwd: repoRoot,
        maxBuffer: 1 << 30,
      }),
    );
  }
  return files;
}

/**
 * The problems of a release commit as sentences: its dist/ is not a fresh
 * build, or (when `clean`) it changes anything of HEAD besides dist/.
 */
export async function checkReleaseCommit(commit, { clean }) {
  const fresh = await mkdtemp(join(tmpdir(), 'ironrun-action-fresh-'));
  try {
    await bundleAction(fresh);
    const problems = compareDist(await readDistDir(fresh), distOfCommit(commit));
    if (clean) {
      const changed = git(['diff', '--name-only', 'HEAD', commit]).split('\n').filter(Boolean);
      for (const path of changed) {
        if (!path.startsWith(`${distPath}/`)) problems.push(`${path} differs from HEAD`);
      }
    }
    return problems;
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}

async function main(argv) {
  const option = (name) => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  const remote = option('--remote') ?? 'origin';
  const push = argv.includes('--push');
  const allowDirty = argv.includes('--allow-dirty');

  const { version, tag, major, parsed } = await releaseTags();
  const tags = remoteTags(remote);
  if (tags.has(tag)) {
    console.log(
      `action:release: ${tag} is already on ${remote} (${tags.get(tag)}); nothing to do.`,
    );
    return 0;
  }
  const dirty = git(['status', '--porcelain']);
  if (dirty !== '' && !allowDirty) {
    console.error(
      `action:release: the checkout has changes, so the tag would not hold what HEAD holds:\n${dirty}`,
    );
    return 1;
  }

  const work = await mkdtemp(join(tmpdir(), 'ironrun-action-release-'));
  try {
    const tree = join(work, 'tree');
    await layOutReleaseTree(tree);
    const head = git(['rev-parse', 'HEAD']);
    const commit = commitTree(
      tree,
      `action: ${tag}\n\nThe release tree of ${head}: its files plus the built ${distPath}.`,
    );
    const problems = await checkReleaseCommit(commit, { clean: dirty === '' });
    if (problems.length > 0) {
      console.error(
        `action:release: the release commit ${commit} is wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
      return 1;
    }
    const newerOfMajor = [...tags.keys()]
      .map((name) => parseVersion(name.replace(/^v/, '')))
      .filter((other) => other !== undefined && other[0] === parsed[0])
      .some((other) => compareVersions(other, parsed) > 0);
    const refs = [`${commit}:refs/tags/${tag}`];
    if (!newerOfMajor) refs.push(`+${commit}:refs/tags/${major}`);
    const moves = newerOfMajor
      ? `${major} stays (a newer ${major}.x is released)`
      : `${major} moves to it`;
    console.log(
      `action:release: ${tag} (@ironrun/action ${version}) is commit ${commit} on top of ${head}; ${moves}.`,
    );
    if (!push) {
      console.log(
        `action:release: without --push; would run git push --atomic ${remote} ${refs.join(' ')}`,
      );
      return 0;
    }
    git(['push', '--atomic', remote, ...refs], { stdio: ['ignore', 'pipe', 'inherit'] });
    console.log(
      `action:release: pushed ${refs.length === 2 ? `${tag} and ${major}` : tag} to ${remote}.`,
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(`action:release: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  }
}
