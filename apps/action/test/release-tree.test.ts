// The action as a workflow gets it from a release tag: `pnpm action:release-tree`
// lays out the tree the tag holds (the same command the release workflow
// commits), and the action is started from that tree the way a runner starts
// a JavaScript action, on a project shaped like a workflow's checkout.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeInfisical,
  startFakeInfisical,
} from '../../../packages/providers-infisical/test/fake-infisical.js';
import { listTree, repositoryFiles } from '../scripts/release-tree.mjs';
import {
  type BundledActionRun,
  readActionMetadata,
  runBundledAction,
} from './run-bundled-action.js';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../..');
const secret = 'sk_live_release_tree_5e4d3c2b1a09';
const infisicalValue = 'pg://app:infisical-db-pass-7f6e5d4c@db/app';
const infisicalToken = 'st.infisical-access-token.1a2b3c4d5e6f';
const runtimeTokens = [
  'runtime-token-the-command-must-not-see',
  'id-token-request-token-the-command-must-not-see',
];

// The runner's layout: the action downloaded under _actions/<owner>/<repo>/<ref>,
// the checkout under work/<repo>/<repo>, RUNNER_TEMP under _temp.
let runner: TestDir;
let action: string;
let workspace: string;
let treeFiles: string[];
let infisical: FakeInfisical;

const deployScript = `#!/bin/sh
# What a careless deploy script does: print what it was given.
echo "deploying $1 with key $STRIPE_SECRET"
echo "database: $DATABASE_URL"
echo "variables: $(export -p | sed -n 's/^export \\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p' | sort | tr '\\n' ' ')"
if [ "$1" = broken ]; then echo "the deploy broke" >&2; exit 7; fi
`;

const policy = `version: 1
provider: envfile
commands:
  - id: deploy
    argv: [./scripts/deploy.sh, production]
    env:
      STRIPE_SECRET: envfile://STRIPE_SECRET
    ttl: 1m
  - id: deploy-broken
    argv: [./scripts/deploy.sh, broken]
    env:
      STRIPE_SECRET: envfile://STRIPE_SECRET
    ttl: 1m
`;

// The same checkout's policy for the Infisical example (a second file, chosen with `policy:`).
const infisicalPolicy = (url: string) => `version: 1
provider:
  name: infisical
  project_id: 6f0c1c7e-0000-4000-8000-000000000000
  environment: prod
  site_url: ${url}
commands:
  - id: migrate
    argv: [./scripts/deploy.sh, migrate]
    env:
      DATABASE_URL: infisical://DATABASE_URL
    ttl: 1m
`;

beforeAll(async () => {
  runner = await testdir({});
  action = runner.path('_actions/ironrun/ironrun/v1');
  workspace = runner.path('work/example/example');
  // Exactly what the release workflow runs (there with a folder under RUNNER_TEMP).
  await run('pnpm', ['--silent', '--dir', repoRoot, 'action:release-tree', action], {
    cwd: repoRoot,
    maxBuffer: 1 << 24,
  });
  treeFiles = await listTree(action);
  infisical = await startFakeInfisical({
    projects: {
      '6f0c1c7e-0000-4000-8000-000000000000': {
        prod: { '/': { secrets: { DATABASE_URL: infisicalValue } } },
      },
    },
    identities: {},
    tokens: [infisicalToken],
  });
  await runner.write({
    'work/example/example/ironrun.yml': policy,
    'work/example/example/ironrun.infisical.yml': infisicalPolicy(infisical.url),
    'work/example/example/scripts/deploy.sh': deployScript,
    'work/example/example/.github/workflows/deploy.yml': `name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: ironrun/ironrun@v1
        with:
          command: deploy
          envfile: \${{ secrets.IRONRUN_ENVFILE }}
`,
  });
}, 120_000);

afterAll(async () => {
  await infisical?.close();
  await runner?.cleanup();
});

const runAction = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runBundledAction({
    action,
    cwd: workspace,
    runnerDir: runner.dir,
    inputs: { envfile: `STRIPE_SECRET=${secret}\n`, ...inputs },
    env,
  });

function expectNoValue(result: BundledActionRun, values: readonly string[]) {
  const places = {
    log: result.log,
    summary: result.summary,
    outputs: JSON.stringify(result.outputs),
    GITHUB_ENV: result.githubEnv,
    GITHUB_STATE: result.githubState,
  };
  for (const [place, text] of Object.entries(places)) {
    for (const value of values) expect(text.includes(value), `${place} holds a secret`).toBe(false);
  }
}

/** The names the deploy script saw exported, from its `variables:` line. */
function commandVariables(result: BundledActionRun): string[] {
  const line = result.log.split('\n').find((text) => text.startsWith('variables: '));
  expect(line, 'the command printed its variables').toBeDefined();
  return (line as string).slice('variables: '.length).trim().split(/\s+/);
}

describe('pnpm action:release-tree', () => {
  it('lays out action.yml at the root with runs.main pointing at the bundle, the 1Password wasm beside it', async () => {
    const metadata = await readActionMetadata(action);
    expect(metadata.using).toBe('node24');
    const main = relative(action, metadata.main);
    expect(treeFiles).toContain('action.yml');
    expect(treeFiles).toContain(main);
    expect(main).toBe('apps/action/dist/index.js');
    expect(treeFiles).toContain('apps/action/dist/core_bg.wasm');
    expect(treeFiles).toContain('apps/action/dist/package.json');
  });

  it('holds every file of the repository as committed, and of the build output only apps/action/dist', async () => {
    const { stdout } = await run('git', ['ls-files', '-z', '--cached'], { cwd: repoRoot });
    const tracked = stdout.split('\0').filter(Boolean);
    const present = new Set(repositoryFiles());
    for (const path of tracked.filter((file) => present.has(file))) {
      expect(treeFiles, `${path} is in the tree`).toContain(path);
      const [inTree, inRepo] = await Promise.all([
        readFile(join(action, path)),
        readFile(join(repoRoot, path)),
      ]);
      expect(inTree.equals(inRepo), `${path} is copied byte for byte`).toBe(true);
    }
    // What the repository's .gitignore ignores is what main never holds; in
    // the tree, only the bundle may be such a file.
    const check = execFile('git', ['check-ignore', '--no-index', '--stdin'], { cwd: repoRoot });
    let out = '';
    check.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    check.stdin?.end(treeFiles.join('\n'));
    await new Promise((done) => check.once('close', done));
    const ignoredPaths = out.split('\n').filter(Boolean);
    expect(ignoredPaths.length).toBeGreaterThan(0);
    for (const path of ignoredPaths) expect(path).toMatch(/^apps\/action\/dist\//);
    expect(treeFiles.some((path) => path.includes('node_modules/'))).toBe(false);
  });

  it('holds a dist/ that check:dist finds to be exactly a fresh build of the source', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'scripts/check-dist.mjs',
        '--against',
        join(action, 'apps/action/dist'),
        '--require-committed',
      ],
      { cwd: resolve(repoRoot, 'apps/action') },
    );
    expect(stdout).toContain('matches a fresh build (3 files)');
  });

  it('refuses to lay out a tree over a folder that is not empty', async () => {
    const result = await run(
      'pnpm',
      ['--silent', '--dir', repoRoot, 'action:release-tree', action],
      {
        cwd: repoRoot,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({
        code: error.code,
        stderr: error.stderr ?? '',
      }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('is not empty');
  });
});

describe('the release tree run as the runner runs it', () => {
  it('runs the command, writes the outputs in the heredoc format, the summary and the masks, and redacts the log', async () => {
    const result = await runAction({ command: 'deploy' });
    expect(result.stderr).toBe('');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    // @actions/core writes each output as name<<ghadelimiter_<uuid>, value, delimiter.
    const raw = await readFile(join(runner.dir, '_runner_file_commands/set_output'), 'utf8');
    expect(raw).toMatch(/^exit-code<<(ghadelimiter_[0-9a-f-]{36})\n0\n\1$/m);
    expect(result.outputs).toEqual({
      'exit-code': '0',
      'duration-ms': expect.stringMatching(/^\d+$/),
      redactions: '1',
      'timed-out': 'false',
    });
    expect(result.summary).toContain('<table>');
    expect(result.summary).toContain('deploy');
    expect(result.summary).toContain('passed');
    expect(result.masks).toContain(secret);
    expect(result.log).toContain('deploying production with key [REDACTED]');
    expectNoValue(result, [secret]);
  });

  it('keeps the runner variables, runtime tokens and inputs out of the command', async () => {
    const result = await runAction({ command: 'deploy' }, { DEPLOY_FLAG: 'step-env' });
    const names = commandVariables(result);
    expect(names).toContain('STRIPE_SECRET');
    for (const name of names)
      expect(name).toMatch(
        /^(STRIPE_SECRET|PATH|HOME|LANG|TERM|PWD|OLDPWD|SHLVL|_|TMPDIR|LC_[A-Z]+)$/,
      );
    expectNoValue(result, runtimeTokens);
  });

  it('fails the step when the command exits non-zero, passing its exit code on as the output', async () => {
    const result = await runAction({ command: 'deploy-broken' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['exit-code']).toBe('7');
    expect(result.errors).toEqual(['ironrun: "deploy-broken" failed with exit code 7']);
    expect(result.log).toContain('the deploy broke');
    expect(result.summary).toContain('failed');
    expectNoValue(result, [secret]);
  });

  it('writes no secret to the log with step debug logging on (RUNNER_DEBUG=1)', async () => {
    const result = await runAction({ command: 'deploy' }, { RUNNER_DEBUG: '1' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('[REDACTED]');
    expectNoValue(result, [secret]);
  });

  it("takes the Infisical access token from the step's env, as Infisical/auth-action hands it over", async () => {
    const result = await runBundledAction({
      action,
      cwd: workspace,
      runnerDir: runner.dir,
      inputs: { command: 'migrate', policy: 'ironrun.infisical.yml' },
      // The step's env: `INFISICAL_TOKEN: ${{ steps.infisical.outputs.access-token }}`.
      env: { INFISICAL_TOKEN: infisicalToken },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.masks).toContain(infisicalValue);
    expect(result.log).toContain('database: [REDACTED]');
    expect(infisical.requests.at(-1)?.authorization).toBe(`Bearer ${infisicalToken}`);
    expect(commandVariables(result)).not.toContain('INFISICAL_TOKEN');
    expectNoValue(result, [infisicalValue, infisicalToken]);
  });
});
