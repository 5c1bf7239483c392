import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trust } from '@ironrun/policy';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIronrun, runProcess } from './cli-process.js';

// The hook exactly as `init` writes it into .claude/settings.json, run the
// way Claude Code runs a command hook: `sh -c <command>` with the hook JSON
// on stdin. Claude Code blocks a tool call on exit 2 or on the deny JSON
// with exit 0; any other exit code lets the call through.
const guardEntry = fileURLToPath(new URL('../dist/guard.js', import.meta.url));
const secret = 'sk_test_failclosed_0123456789';

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let hookCommand: string;

function runHook(command: string, input: string, extraEnv: Record<string, string> = {}) {
  return runProcess('/bin/sh', ['-c', command], {
    cwd: project.dir,
    env: { ...env, CLAUDE_PROJECT_DIR: project.dir, ...extraEnv },
    input,
  });
}

const hookInput = (command: string) =>
  JSON.stringify({
    session_id: 's',
    transcript_path: '/tmp/t.jsonl',
    cwd: project.dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command },
  });

/** Whether Claude Code would block the call: exit 2, or exit 0 with the deny JSON. */
function blocks(run: { code: number | null; stdout: string }): boolean {
  if (run.code === 2) return true;
  if (run.code !== 0 || run.stdout === '') return false;
  const parsed = JSON.parse(run.stdout) as {
    hookSpecificOutput?: { permissionDecision?: string };
  };
  return parsed.hookSpecificOutput?.permissionDecision === 'deny';
}

beforeAll(async () => {
  home = await testdir();
  project = await testdir({
    'ironrun.yml': [
      'version: 1',
      'provider:',
      '  name: envfile',
      '  path: ~/secrets/demo.env',
      'commands:',
      '  - id: deploy',
      '    argv: [./scripts/deploy.sh]',
      '    env:',
      '      STRIPE_KEY: envfile://STRIPE_KEY',
      '',
    ].join('\n'),
    'scripts/deploy.sh': '#!/bin/sh\necho deploying\n',
  });
  await mkdir(join(home.dir, 'secrets'), { recursive: true });
  await writeFile(join(home.dir, 'secrets', 'demo.env'), `STRIPE_KEY=${secret}\n`, {
    mode: 0o600,
  });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
  const init = await runIronrun(['init', '--agents', 'claude'], { cwd: project.dir, env });
  expect(init.code).toBe(0);
  const settings = JSON.parse(await readFile(project.path('.claude/settings.json'), 'utf8')) as {
    hooks: { PreToolUse: { hooks: { command: string }[] }[] };
  };
  hookCommand = settings.hooks.PreToolUse[0]?.hooks[0]?.command ?? '';
});

afterAll(async () => {
  await project.cleanup();
  await home.cleanup();
});

describe('the guard hook init installs for Claude Code', () => {
  it('is installed by default and runs the installed guard directly, never through npx', () => {
    expect(hookCommand).toContain(guardEntry);
    expect(hookCommand).not.toMatch(/npx|pnpx|bunx/);
    expect(hookCommand).toMatch(/exit 2; }$/);
  });

  it('denies a read of the envfile and lets `git status` through', async () => {
    const denied = await runHook(hookCommand, hookInput('cat ~/secrets/demo.env'));
    expect(denied.code).toBe(0);
    expect(blocks(denied)).toBe(true);
    expect(denied.stdout + denied.stderr).not.toContain(secret);
    const allowed = await runHook(hookCommand, hookInput('git status'));
    expect(allowed).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('still blocks every tool call when the guard file is missing', async () => {
    const missing = hookCommand.replace(guardEntry, join(home.dir, 'gone', 'guard.js'));
    const run = await runHook(missing, hookInput('git status'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ironrun guard could not run/);
  });

  it('still blocks every tool call when node is missing', async () => {
    const run = await runHook(
      hookCommand.replace(process.execPath, '/nonexistent/bin/node'),
      hookInput('git status'),
    );
    expect(run.code).toBe(2);
  });

  it('still blocks every tool call when the guard file is broken', async () => {
    const broken = join(home.dir, 'broken', 'guard.js');
    await mkdir(join(home.dir, 'broken'), { recursive: true });
    await writeFile(broken, 'this is not javascript (\n');
    const syntax = await runHook(hookCommand.replace(guardEntry, broken), hookInput('git status'));
    expect(syntax.code).toBe(2);
    await writeFile(broken, "throw new Error('boom');\n");
    const throws = await runHook(hookCommand.replace(guardEntry, broken), hookInput('git status'));
    expect(throws.code).toBe(2);
  });

  it('still blocks when the guard loads but its modules do not (a half-installed package)', async () => {
    // The real entry, copied without the package around it: its `yaml` import fails on a cache miss.
    const lonely = join(home.dir, 'lonely', 'guard.js');
    await mkdir(join(home.dir, 'lonely'), { recursive: true });
    await copyFile(guardEntry, lonely);
    await chmod(lonely, 0o755);
    const run = await runHook(hookCommand.replace(guardEntry, lonely), hookInput('git status'), {
      IRONRUN_CONFIG_DIR: join(home.dir, 'cold-cache'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/fails closed|could not run/);
  });

  it('exits 2 on a failure of its own (an option it does not know)', async () => {
    const run = await runHook(
      hookCommand.replace(guardEntry, `${guardEntry} --no-such-option`),
      hookInput('git status'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option/);
  });

  it('denies every shell command when the policy stops parsing and was never trusted', async () => {
    const policy = project.path('ironrun.yml');
    const good = await readFile(policy, 'utf8');
    await writeFile(policy, 'commands: [unclosed\n');
    try {
      const run = await runHook(hookCommand, hookInput('./scripts/deploy.sh'));
      expect(blocks(run)).toBe(true);
      expect(run.stdout).toMatch(/does not parse/);
    } finally {
      await writeFile(policy, good);
    }
  });
});

describe('the guard against an agent that edits the policy', () => {
  it('keeps denying a trusted command after the agent deletes it from ironrun.yml', async () => {
    const policy = project.path('ironrun.yml');
    const good = await readFile(policy, 'utf8');
    await trust(policy, { configDir: env.IRONRUN_CONFIG_DIR as string, schemes: ['envfile'] });
    try {
      await writeFile(
        policy,
        'version: 1\nprovider:\n  name: envfile\n  path: /tmp/elsewhere.env\ncommands: []\n',
      );
      const run = await runHook(hookCommand, hookInput('./scripts/deploy.sh'));
      expect(blocks(run)).toBe(true);
      expect(run.stdout).toMatch(/policy command \\"deploy\\"/);
      const read = await runHook(hookCommand, hookInput('cat ~/secrets/demo.env'));
      expect(blocks(read)).toBe(true);
    } finally {
      await writeFile(policy, good);
    }
  });
});

describe('dist/guard.js', () => {
  it('waits for hook input that arrives after it starts, and still denies on it', async () => {
    // The input is written 1 s late, so the first non-blocking read finds nothing yet.
    const late = `{ sleep 1; printf '%s' "$HOOK_INPUT"; } | ${hookCommand}`;
    const denied = await runHook(late, '', {
      HOOK_INPUT: hookInput('cat ~/secrets/demo.env'),
    });
    expect(blocks(denied)).toBe(true);
    expect(denied.stdout + denied.stderr).not.toContain(secret);
    const allowed = await runHook(late, '', { HOOK_INPUT: hookInput('git status') });
    expect(allowed).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('is one file that imports no module statically, takes its built-ins without an ES facade, and loads no SDK', async () => {
    const text = await readFile(guardEntry, 'utf8');
    // Minified: `import{a as b}from"fs"`, one statement after another.
    const staticImports = [
      ...text.matchAll(/import\s*\{?[\w\s,*$]*\}?\s*from\s*["']([^"']+)["']/g),
    ].map((match) => match[1]);
    const dynamicImports = [...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map(
      (match) => match[1],
    );
    // An `import … from 'node:fs'` would build fs's ES facade, which loads the stream stack.
    expect(staticImports).toEqual([]);
    const builtins = [...text.matchAll(/getBuiltinModule\(\s*["']([^"']+)["']\s*\)/g)].map(
      (match) => match[1],
    );
    expect([...new Set(builtins)].sort()).toEqual(['node:fs', 'node:os', 'node:path']);
    // Loaded lazily, on a cache miss only: yaml, crypto for the trust record's name, and
    // core for the providers' declared vendor facts (the registry), cached with the policy
    // facts; never on a hit, where core would cost the whole pipeline on every tool call.
    expect([...new Set(dynamicImports)].sort()).toEqual(['@ironrun/core', 'node:crypto', 'yaml']);
    expect(text).not.toMatch(/from\s*["']@ironrun\//);
    expect(text).not.toMatch(/modelcontextprotocol|citty|valibot|@1password|@dopplerhq|@infisical/);
  });
});
