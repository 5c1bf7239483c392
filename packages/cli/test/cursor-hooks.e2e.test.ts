import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIronrun, runProcess } from './cli-process.js';

// The hooks exactly as `init` writes them into .cursor/hooks.json, run the way Cursor runs a
// command hook: through the shell, the hook JSON on stdin. Cursor blocks a call on exit 2,
// on `{"permission":"deny"}`, and (with failClosed) when the hook prints no JSON.
const guardEntry = fileURLToPath(new URL('../dist/guard.cjs', import.meta.url));
const secret = 'sk_test_cursorhook_0123456789';

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let hooks: Record<string, { command: string; failClosed?: boolean }[]>;

function runHook(command: string, input: string) {
  return runProcess('/bin/sh', ['-c', command], { cwd: project.dir, env, input });
}

const common = () => ({
  conversation_id: 'conv-1',
  generation_id: 'gen-1',
  workspace_roots: [project.dir],
  cursor_version: '2.0.77',
});
const shell = (command: string) =>
  JSON.stringify({
    ...common(),
    hook_event_name: 'beforeShellExecution',
    command,
    cwd: project.dir,
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
  await writeFile(join(home.dir, 'secrets', 'demo.env'), `STRIPE_KEY=${secret}\n`, { mode: 0o600 });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
  const init = await runIronrun(['init', '--agents', 'cursor'], { cwd: project.dir, env });
  expect(init.code).toBe(0);
  hooks = (
    JSON.parse(await readFile(project.path('.cursor/hooks.json'), 'utf8')) as {
      hooks: typeof hooks;
    }
  ).hooks;
});

afterAll(async () => {
  await project.cleanup();
  await home.cleanup();
});

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
      `env X=1 ${project.path('scripts/deploy.sh')}`,
    ]) {
      const run = await runHook(command('beforeShellExecution'), shell(line));
      expect(blocks(run), line).toBe(true);
      expect(JSON.parse(run.stdout).agent_message, line).toMatch(/deploy/);
    }
  });

  it('deny reading the envfile and the vault CLI folders, by the shell and by the read hook', async () => {
    const envfile = join(home.dir, 'secrets', 'demo.env');
    const attempts = [
      [command('beforeShellExecution'), shell('cat ~/secrets/demo.env')],
      [command('beforeShellExecution'), shell('cat ~/.doppler/.doppler.yaml')],
      [command('beforeReadFile'), read(envfile, `STRIPE_KEY=${secret}\n`)],
      [command('beforeReadFile'), read(join(home.dir, '.config', 'op', 'config'))],
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
    const readme = await runHook(command('beforeReadFile'), read(project.path('ironrun.yml')));
    expect(readme).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
  });

  it('still block when the guard file is missing, broken, or node is gone', async () => {
    const hook = command('beforeShellExecution');
    const missing = await runHook(hook.replace(guardEntry, join(home.dir, 'gone.js')), shell('ls'));
    expect(missing.code).toBe(2);
    const broken = join(home.dir, 'broken.js');
    await writeFile(broken, 'this is not javascript (\n');
    expect((await runHook(hook.replace(guardEntry, broken), shell('ls'))).code).toBe(2);
    const noNode = await runHook(hook.replace(process.execPath, '/nonexistent/node'), shell('ls'));
    expect(noNode.code).toBe(2);
  });

  it('block input it cannot read, and a shell call without a command text', async () => {
    expect((await runHook(command('beforeShellExecution'), 'not json')).code).toBe(2);
    const noCommand = JSON.stringify({ ...common(), hook_event_name: 'beforeShellExecution' });
    expect(blocks(await runHook(command('beforeShellExecution'), noCommand))).toBe(true);
  });
});
