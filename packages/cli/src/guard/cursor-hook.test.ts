import { describe, expect, it } from 'vitest';
import { cursorHookOutput, fromCursorInput, isCursorHookInput } from './cursor-hook.js';

const common = {
  conversation_id: 'c',
  generation_id: 'g',
  workspace_roots: ['/work/app'],
};

describe("Cursor's hook input", () => {
  it("is told from Claude Code's by the event name", () => {
    expect(isCursorHookInput({ hook_event_name: 'beforeShellExecution' })).toBe(true);
    expect(isCursorHookInput({ hook_event_name: 'beforeReadFile' })).toBe(true);
    expect(isCursorHookInput({ hook_event_name: 'preToolUse' })).toBe(true);
    expect(isCursorHookInput({ hook_event_name: 'PreToolUse' })).toBe(false);
    expect(isCursorHookInput({})).toBe(false);
  });

  it('reads a shell command as a Bash call in its cwd', () => {
    expect(
      fromCursorInput({
        ...common,
        hook_event_name: 'beforeShellExecution',
        command: 'cat ~/.doppler/x',
        cwd: '/work/app/sub',
      }),
    ).toEqual([
      {
        hook_event_name: 'PreToolUse',
        cwd: '/work/app/sub',
        tool_name: 'Bash',
        tool_input: { command: 'cat ~/.doppler/x' },
      },
    ]);
  });

  it('reads a file read as a Read call in the first workspace root, never passing its content on', () => {
    const [input] = fromCursorInput({
      ...common,
      hook_event_name: 'beforeReadFile',
      file_path: '/home/me/secrets.env',
      content: 'STRIPE_KEY=sk_live_never_passed_on',
    } as never);
    expect(input).toEqual({
      hook_event_name: 'PreToolUse',
      cwd: '/work/app',
      tool_name: 'Read',
      tool_input: { file_path: '/home/me/secrets.env' },
    });
    expect(JSON.stringify(input)).not.toContain('sk_live');
  });

  it('reads any other tool call as an Edit of each path it names (a write is denied as a read is)', () => {
    const inputs = fromCursorInput({
      ...common,
      hook_event_name: 'preToolUse',
      tool_name: 'Write',
      tool_input: { file_path: '/a.env', contents: 'x', paths: ['/b', 3], target_file: '/c' },
    });
    expect(inputs.map((input) => input.tool_input)).toEqual([
      { file_path: '/a.env' },
      { file_path: '/b' },
      { file_path: '/c' },
    ]);
    expect(inputs.every((input) => input.tool_name === 'Edit')).toBe(true);
    const shell = fromCursorInput({
      ...common,
      hook_event_name: 'preToolUse',
      tool_name: 'Shell',
      tool_input: { command: 'op read x' },
    });
    expect(shell).toEqual([
      expect.objectContaining({ tool_name: 'Bash', tool_input: { command: 'op read x' } }),
    ]);
  });
});

describe("the guard's answer to Cursor", () => {
  it('denies with the permission JSON, the reason for the person and for the agent', () => {
    const text = cursorHookOutput({ action: 'deny', reason: 'this touches the envfile.' });
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      permission: 'deny',
      user_message: 'ironrun guard: this touches the envfile.',
      agent_message: 'this touches the envfile.',
    });
  });

  it('makes no decision when it has no objection (never "allow", which would skip the approval)', () => {
    expect(JSON.parse(cursorHookOutput({ action: 'allow' }))).toEqual({});
  });
});
