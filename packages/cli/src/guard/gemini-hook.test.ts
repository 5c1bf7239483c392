import { describe, expect, it } from 'vitest';
import { fromGeminiInput, geminiHookOutput, isGeminiHookInput } from './gemini-hook.js';

const base = {
  session_id: 's',
  transcript_path: '/tmp/t.json',
  cwd: '/work/app',
  hook_event_name: 'BeforeTool' as const,
  timestamp: '2026-12-03T10:00:00Z',
};

describe("Gemini CLI's BeforeTool input", () => {
  it('is told apart by its event name', () => {
    expect(isGeminiHookInput({ hook_event_name: 'BeforeTool' })).toBe(true);
    expect(isGeminiHookInput({ hook_event_name: 'PreToolUse' })).toBe(false);
  });

  it('reads run_shell_command as Bash, in its directory', () => {
    const [input] = fromGeminiInput({
      ...base,
      tool_name: 'run_shell_command',
      tool_input: { command: './deploy.sh', directory: "scripts/it's" },
    });
    expect(input).toEqual({
      hook_event_name: 'PreToolUse',
      cwd: '/work/app',
      tool_name: 'Bash',
      tool_input: { command: "cd 'scripts/it'\\''s' && ./deploy.sh" },
    });
  });

  it('reads file tools as an Edit of each path, and glob/search as Glob/Grep', () => {
    const read = fromGeminiInput({
      ...base,
      tool_name: 'read_many_files',
      tool_input: { paths: ['/a', '/b'], include: ['*.md'] },
    });
    expect(read.map((input) => input.tool_input)).toEqual([
      { file_path: '/a' },
      { file_path: '/b' },
    ]);
    const file = fromGeminiInput({
      ...base,
      tool_name: 'read_file',
      tool_input: { absolute_path: '/c.env' },
    });
    expect(file).toEqual([
      expect.objectContaining({ tool_name: 'Edit', tool_input: { file_path: '/c.env' } }),
    ]);
    const glob = fromGeminiInput({
      ...base,
      tool_name: 'glob',
      tool_input: { pattern: '**/*.env', path: '/home/me' },
    });
    expect(glob).toEqual([
      expect.objectContaining({
        tool_name: 'Glob',
        tool_input: { pattern: '**/*.env', path: '/home/me' },
      }),
    ]);
  });

  it('answers {"decision":"deny","reason"} or {}', () => {
    expect(JSON.parse(geminiHookOutput({ action: 'deny', reason: 'no.' }))).toEqual({
      decision: 'deny',
      reason: 'no.',
    });
    expect(geminiHookOutput({ action: 'allow' })).toBe('{}\n');
  });
});
