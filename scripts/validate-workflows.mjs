#!/usr/bin/env node
// `pnpm validate:workflows [file…]`: checks action.yml and every workflow in
// .github/workflows (or the files given) against GitHub's schemas with
// action-validator (@action-validator/cli), one file per run of its CLI.
//
// action-validator 0.6.0, the newest release, predates `runs.using: node24`
// (its schema knows node12, node16 and node20), which GitHub-hosted runners
// need since Node 20 left them. So an action.yml whose only difference is
// node24 is validated as a copy that says node20, and the original must fail
// on nothing but that field: any other problem still fails, and once a
// validator release knows node24 this says so.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const cli = join(
  dirname(createRequire(import.meta.url).resolve('@action-validator/cli/package.json')),
  'cli.mjs',
);

/** What action-validator's CLI said of one file: the errors it printed, none when it passed. */
export function runValidator(path) {
  try {
    execFileSync(process.execPath, [cli, path], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    return [];
  } catch (error) {
    const stderr = String(error.stderr ?? '');
    try {
      return JSON.parse(stderr).errors;
    } catch {
      return [{ code: 'cli', title: (stderr || String(error.stdout ?? error.message)).trim() }];
    }
  }
}

/** True when `errors` is exactly action-validator's complaint about `runs.using: node24`. */
function onlyUsingRejected(errors) {
  if (errors.length !== 1) return false;
  const [error] = errors;
  const javascriptBranch = error.states?.[0]?.errors ?? [];
  return (
    error.path === '/runs' &&
    error.code === 'one_of' &&
    javascriptBranch.length === 1 &&
    javascriptBranch[0].path === '/runs/using' &&
    javascriptBranch[0].code === 'enum'
  );
}

const node24 = /^(\s+using:\s*)(['"]?)node24\2(\s*(#.*)?)$/m;

/**
 * Validates one file (an action.yml, or a workflow) and returns its
 * problems as sentences; empty when it is valid.
 */
export function validateFile(path) {
  const isAction = /(^|\/)action\.ya?ml$/.test(path);
  const text = readFileSync(path, 'utf8');
  if (!isAction || !node24.test(text)) {
    return runValidator(path).map((error) => JSON.stringify(error));
  }
  const original = runValidator(path);
  if (original.length > 0 && !onlyUsingRejected(original)) {
    return original.map((error) => JSON.stringify(error));
  }
  const dir = mkdtempSync(join(tmpdir(), 'ironrun-validate-'));
  try {
    const copy = join(dir, basename(path));
    writeFileSync(copy, text.replace(node24, '$1$2node20$2$3'));
    const problems = runValidator(copy).map((error) => JSON.stringify(error));
    if (problems.length === 0 && original.length === 0) {
      console.log(
        `validate: action-validator now accepts node24 in ${path}; drop the node20 copy in scripts/validate-workflows.mjs.`,
      );
    }
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files CI validates: action.yml and every workflow. */
export function defaultFiles() {
  const workflows = join(root, '.github/workflows');
  return [
    join(root, 'action.yml'),
    ...readdirSync(workflows)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(workflows, name)),
  ];
}

function main(argv) {
  const files = argv.length > 0 ? argv.map((file) => resolve(file)) : defaultFiles();
  let failed = 0;
  for (const file of files) {
    const problems = validateFile(file);
    const shown = relative(process.cwd(), file);
    const name = shown === '' || shown.startsWith('..') ? file : shown;
    if (problems.length === 0) {
      console.log(`validate: ${name} ok`);
      continue;
    }
    failed++;
    console.error(`validate: ${name} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
