import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';
import {
  brokenGuardHooks,
  type GuardedProject,
  guardEntry,
  guardedProject,
  runHookCommand,
} from './hook-fixture.js';

// The hooks exactly as `init` writes them into .cursor/hooks.json, run the way Cursor runs a
// command hook: through the shell, the hook JSON on stdin. Cursor blocks a call on exit 2,
// on `{"permission":"deny"}`, and (with failClosed) when the hook prints no JSON.
const secret = 'sk_test_cursorhook_0123456789';

let fixture: GuardedProject;
let hooks: Record<string, { command: string; failClosed?: boolean }[]>;

function runHook(command: string, input: string) {
  return runHookCommand(command, input, { cwd: fixture.project.dir, env: fixture.env });
}

const common = () => ({
  conversation_id: 'conv-1',
  generation_id: 'gen-1',
  workspace_roots: [fixture.project.dir],
  cursor_version: '2.0.77',
});
const shell = (command: string) =>
  JSON.stringify({
    ...common(),
    hook_event_name: 'beforeShellExecution',
    command,
    cwd: fixture.project.dir,
  });
const read = (path: string, content = '') =>
  JSON.stringify({ ...common(), hook_event_name: 'beforeReadFile', file_path: path, content });
const tool = (name: string, input: Record<string, unknown>) =>
  JSON.stringify({
    ...common(),
    hook_event_name: 'preToolUse',
    tool_name: name,
    tool_input: input,
  });

/** Whether Cursor would block the call. */
function blocks(run: { code: number | null; stdout: string }): boolean {
  if (run.code === 2) return true;
  if (run.code !== 0) return false;
  try {
    return (JSON.parse(run.stdout) as { permission?: string }).permission === 'deny';
  } catch {
    return true; // failClosed: output that is not JSON blocks
  }
}

const command = (event: string) => hooks[event]?.[0]?.command ?? '';

beforeAll(async () => {
  fixture = await guardedProject({ secret });
  const init = await runIronrun(['init', '--agents', 'cursor'], {
    cwd: fixture.project.dir,
    env: fixture.env,
  });
  expect(init.code).toBe(0);
  hooks = (
    JSON.parse(await readFile(fixture.project.path('.cursor/hooks.json'), 'utf8')) as {
      hooks: typeof hooks;
    }
  ).hooks;
});

afterAll(() => fixture.cleanup());

describe('the guard hooks init writes for Cursor', () => {
  it('run the installed guard directly (never npx), fail closed, for shell, reads and tools', () => {
    for (const event of ['beforeShellExecution', 'beforeReadFile', 'preToolUse']) {
      expect(hooks[event]).toHaveLength(1);
      expect(hooks[event]?.[0]?.failClosed).toBe(true);
      expect(command(event)).toContain(guardEntry);
      expect(command(event)).not.toMatch(/npx|pnpx|bunx/);
      expect(command(event)).toMatch(/exit 2; }$/);
    }
  });

  it('deny running a policy command outside ironrun, however it is spelled', async () => {
    for (const line of [
      './scripts/deploy.sh',
      'sh scripts/deploy.sh',
      'bash ./scripts/deploy.sh',
      'cd scripts && ./deploy.sh',
      `env X=1 ${fixture.project.path('scripts/deploy.sh')}`,
    ]) {
      const run = await runHook(command('beforeShellExecution'), shell(line));
      expect(blocks(run), line).toBe(true);
      expect(JSON.parse(run.stdout).agent_message, line).toMatch(/deploy/);
    }
  });

  it('deny reading the envfile and the vault CLI folders, by the shell and by the read hook', async () => {
    const { envfile } = fixture;
    const attempts = [
      [command('beforeShellExecution'), shell('cat ~/secrets/demo.env')],
      [command('beforeShellExecution'), shell('cat ~/.doppler/.doppler.yaml')],
      [command('beforeReadFile'), read(envfile, `STRIPE_KEY=${secret}\n`)],
      [command('beforeReadFile'), read(join(fixture.home.dir, '.config', 'op', 'config'))],
      [command('preToolUse'), tool('Write', { file_path: envfile, contents: 'X=1' })],
      [command('preToolUse'), tool('Shell', { command: 'op read op://v/i/f' })],
    ] as const;
    for (const [hook, input] of attempts) {
      const run = await runHook(hook, input);
      expect(run.code, input).toBe(0);
      expect(blocks(run), input).toBe(true);
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('make no decision on an ordinary command or read (Cursor asks as it would)', async () => {
    const ok = await runHook(command('beforeShellExecution'), shell('git status'));
    expect(ok).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
    const readme = await runHook(
      command('beforeReadFile'),
      read(fixture.project.path('ironrun.yml')),
    );
    expect(readme).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
  });

  it('still block when the guard file is missing, broken, or node is gone', async () => {
    const hook = command('beforeShellExecution');
    for (const broken of await brokenGuardHooks(hook, guardEntry, fixture.home.dir)) {
      expect((await runHook(broken.command, shell('ls'))).code, broken.what).toBe(2);
    }
  });

  it('block input it cannot read, and a shell call without a command text', async () => {
    expect((await runHook(command('beforeShellExecution'), 'not json')).code).toBe(2);
    const noCommand = JSON.stringify({ ...common(), hook_event_name: 'beforeShellExecution' });
    expect(blocks(await runHook(command('beforeShellExecution'), noCommand))).toBe(true);
  });
});
