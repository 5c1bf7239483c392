import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failClosedSuffix } from '../src/init/guard-hook.js';
import { nobody, setpriv } from './as-nobody.js';
import {
  brokenGuardHooks,
  type GuardedProject,
  guardEntry,
  guardedProject,
  runHookCommand,
} from './hook-fixture.js';

// The guard as an ordinary user runs it: the hook command `init` registers for Claude Code,
// started as uid 65534 with a home and project that user owns, so the policy-facts cache is
// written and read by that user. The other guard e2e files run as whoever runs the suite (root
// in CI); setpriv needs root to switch to uid 65534.
const canRunAsNobody =
  process.getuid?.() === 0 &&
  existsSync(setpriv) &&
  spawnSync(setpriv, [...nobody, process.execPath, '-e', '0']).status === 0;
if (!canRunAsNobody) {
  console.log(
    'skipping the guard as uid 65534: not run as root (setpriv needs it), or setpriv/node cannot run as uid 65534 here',
  );
}

const secret = 'sk_test_nobody_guard_5f3a9c1e77';
const hook = `${[setpriv, ...nobody].join(' ')} ${process.execPath} ${guardEntry} ${failClosedSuffix}`;

let fixture: GuardedProject;

async function chownTree(path: string): Promise<void> {
  await chown(path, 65534, 65534);
  if (!(await stat(path)).isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry));
}

function input(toolName: string, toolInput: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: 'nobody',
    cwd: fixture.project.dir,
    hook_event_name: 'PreToolUse',
    tool_name: toolName,
    tool_input: toolInput,
  });
}

function decision(stdout: string): string | undefined {
  if (stdout === '') return undefined;
  return (JSON.parse(stdout) as { hookSpecificOutput: { permissionDecision: string } })
    .hookSpecificOutput.permissionDecision;
}

describe.runIf(canRunAsNobody)('the registered guard hook as uid 65534', () => {
  beforeAll(async () => {
    fixture = await guardedProject({ secret });
    await chmod(join(fixture.project.dir, 'scripts', 'deploy.sh'), 0o755);
    await chownTree(fixture.home.dir);
    await chownTree(fixture.project.dir);
  });
  afterAll(() => fixture.cleanup());

  const run = (command: string, toolName: string, toolInput: Record<string, unknown>) =>
    runHookCommand(command, input(toolName, toolInput), {
      cwd: fixture.project.dir,
      env: { ...fixture.env, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });

  it('denies reads of the secrets file and running an owned command outside ironrun, on a cold and a warm cache', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      ['Read', { file_path: fixture.envfile }],
      ['Bash', { command: `cat ${fixture.envfile}` }],
      ['Bash', { command: 'sh scripts/deploy.sh' }],
      ['Bash', { command: 'cd scripts && ./deploy.sh' }],
    ];
    for (const round of ['cold', 'warm']) {
      for (const [toolName, toolInput] of attempts) {
        const result = await run(hook, toolName, toolInput);
        expect(
          { round, toolName, toolInput, code: result.code, decision: decision(result.stdout) },
          result.stderr,
        ).toEqual({ round, toolName, toolInput, code: 0, decision: 'deny' });
        expect(result.stdout + result.stderr).not.toContain(secret);
      }
    }
    // The cache the first round wrote belongs to uid 65534, in its own config folder.
    const cache = join(fixture.env.IRONRUN_CONFIG_DIR!, 'guard-cache');
    const files = await readdir(cache);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((await stat(join(cache, file))).uid).toBe(65534);
  });

  it('still denies when it cannot write its cache (a config folder uid 65534 cannot write)', async () => {
    const readOnly = join(fixture.home.dir, 'config-read-only');
    await mkdir(readOnly, { mode: 0o755 });
    await chown(readOnly, 0, 0);
    const attempts: [string, Record<string, unknown>][] = [
      ['Read', { file_path: fixture.envfile }],
      ['Bash', { command: 'sh scripts/deploy.sh' }],
    ];
    for (const [toolName, toolInput] of attempts) {
      const result = await runHookCommand(hook, input(toolName, toolInput), {
        cwd: fixture.project.dir,
        env: {
          ...fixture.env,
          IRONRUN_CONFIG_DIR: readOnly,
          PATH: process.env.PATH ?? '/usr/bin:/bin',
        },
      });
      expect(
        { toolName, code: result.code, decision: decision(result.stdout) },
        result.stderr,
      ).toEqual({ toolName, code: 0, decision: 'deny' });
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(await readdir(readOnly)).toEqual([]);
  });

  it('leaves an ordinary command to the agent (no output, exit 0)', async () => {
    const result = await run(hook, 'Bash', { command: 'git status && ls -la' });
    expect(result).toMatchObject({ code: 0, stdout: '' });
  });

  it('still blocks (exit 2) when the guard file is missing, broken or throws, or node is missing', async () => {
    const cases = await brokenGuardHooks(hook, guardEntry, fixture.home.dir);
    await chownTree(join(fixture.home.dir, 'broken-guards'));
    for (const { what, command } of cases) {
      const result = await run(command, 'Read', { file_path: fixture.envfile });
      expect({ what, code: result.code }).toEqual({ what, code: 2 });
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  });
});
