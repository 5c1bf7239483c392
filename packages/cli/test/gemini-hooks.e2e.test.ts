import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestDir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';
import {
  brokenGuardHooks,
  type GuardedProject,
  guardEntry,
  guardedProject,
  runHookCommand,
} from './hook-fixture.js';

// The BeforeTool hook exactly as `init --agents gemini` writes it into .gemini/settings.json,
// run as Gemini CLI runs a command hook: through the shell, the hook JSON on stdin. Gemini
// CLI blocks a tool on exit 2 or `{"decision":"deny"}`; any other failure lets it through.
const secret = 'sk_test_geminihook_0123456789';

let fixture: GuardedProject;
let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let hookCommand: string;

function runHook(command: string, input: string) {
  return runHookCommand(command, input, { cwd: project.dir, env });
}

const beforeTool = (tool: string, toolInput: Record<string, unknown>) =>
  JSON.stringify({
    session_id: 's',
    transcript_path: join(home.dir, '.gemini', 'tmp', 'chat.json'),
    cwd: project.dir,
    hook_event_name: 'BeforeTool',
    timestamp: '2026-12-03T10:00:00Z',
    tool_name: tool,
    tool_input: toolInput,
  });

/** Whether Gemini CLI would block the tool. */
function blocks(run: { code: number | null; stdout: string }): boolean {
  if (run.code === 2) return true;
  if (run.code !== 0) return false;
  return (JSON.parse(run.stdout) as { decision?: string }).decision === 'deny';
}

beforeAll(async () => {
  fixture = await guardedProject({ secret });
  ({ home, project, env } = fixture);
  expect((await runIronrun(['init', '--agents', 'gemini'], { cwd: project.dir, env })).code).toBe(
    0,
  );
  const settings = JSON.parse(await readFile(project.path('.gemini/settings.json'), 'utf8')) as {
    hooks: { BeforeTool: { hooks: { command: string }[] }[] };
  };
  hookCommand = settings.hooks.BeforeTool[0]?.hooks[0]?.command ?? '';
});

afterAll(() => fixture.cleanup());

describe('the guard hook init writes for Gemini CLI', () => {
  it('runs the installed guard directly and fails closed', () => {
    expect(hookCommand).toContain(guardEntry);
    expect(hookCommand).not.toMatch(/npx|pnpx|bunx/);
    expect(hookCommand).toMatch(/exit 2; }$/);
  });

  it('denies an owned command run outside ironrun, and reads and writes of secret locations', async () => {
    const envfile = join(home.dir, 'secrets', 'demo.env');
    const attempts = [
      beforeTool('run_shell_command', { command: 'sh scripts/deploy.sh' }),
      beforeTool('run_shell_command', { command: './deploy.sh', directory: 'scripts' }),
      beforeTool('run_shell_command', { command: 'cat ~/secrets/demo.env' }),
      beforeTool('run_shell_command', { command: 'doppler secrets download' }),
      beforeTool('read_file', { absolute_path: envfile }),
      beforeTool('read_many_files', { paths: [join(home.dir, '.config', 'op', 'config')] }),
      beforeTool('write_file', { file_path: envfile, content: 'X=1' }),
      beforeTool('search_file_content', { pattern: 'sk_', path: join(home.dir, 'secrets') }),
    ];
    for (const input of attempts) {
      const run = await runHook(hookCommand, input);
      expect(run.code, input).toBe(0);
      expect(blocks(run), input).toBe(true);
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('makes no decision on ordinary work', async () => {
    const run = await runHook(
      hookCommand,
      beforeTool('run_shell_command', { command: 'git status' }),
    );
    expect(run).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
    const read = await runHook(
      hookCommand,
      beforeTool('read_file', { absolute_path: project.path('ironrun.yml') }),
    );
    expect(read).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
  });

  it('still blocks when the guard is missing or broken', async () => {
    const input = beforeTool('run_shell_command', { command: 'ls' });
    for (const broken of await brokenGuardHooks(hookCommand, guardEntry, home.dir)) {
      expect((await runHook(broken.command, input)).code, broken.what).toBe(2);
    }
    expect((await runHook(hookCommand, 'not json')).code).toBe(2);
  });
});
