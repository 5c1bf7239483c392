import { describe, expect, it } from 'vitest';
import { mergeGeminiHooks } from './gemini-settings.js';

const command =
  "node /app/node_modules/@ironrun/cli/dist/guard.cjs || { echo 'ironrun guard could not run' >&2; exit 2; }";

describe('mergeGeminiHooks', () => {
  it('adds a BeforeTool hook for every tool, keeping the servers and other hooks; a second run changes nothing', () => {
    const existing = JSON.stringify({
      mcpServers: { ironrun: { command: 'ironrun', args: ['mcp'] } },
      hooks: { AfterTool: [{ hooks: [{ type: 'command', command: 'log.sh' }] }] },
    });
    const outcome = mergeGeminiHooks(existing, command);
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    const settings = JSON.parse(outcome.text);
    expect(settings.mcpServers.ironrun.command).toBe('ironrun');
    expect(settings.hooks.AfterTool).toHaveLength(1);
    expect(settings.hooks.BeforeTool).toEqual([
      { hooks: [{ type: 'command', name: 'ironrun-guard', command, timeout: 15_000 }] },
    ]);
    expect(mergeGeminiHooks(outcome.text, command)).toEqual({ status: 'unchanged' });
  });

  it('rewrites a guard on the old ES entry dist/guard.js to the command, leaving one', () => {
    const old = command.replace('guard.cjs', 'guard.js');
    const hook = (text: string) => ({
      type: 'command',
      name: 'ironrun-guard',
      command: text,
      timeout: 15_000,
    });
    const existing = JSON.stringify({
      hooks: {
        BeforeTool: [
          { hooks: [hook(old)] },
          { matcher: 'write_file', hooks: [{ type: 'command', command: 'lint.sh' }, hook(old)] },
        ],
      },
    });
    const outcome = mergeGeminiHooks(existing, command);
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    expect(JSON.parse(outcome.text).hooks.BeforeTool).toEqual([
      { hooks: [hook(command)] },
      { matcher: 'write_file', hooks: [{ type: 'command', command: 'lint.sh' }] },
    ]);
    expect(mergeGeminiHooks(outcome.text, command)).toEqual({ status: 'unchanged' });
  });

  it('never touches settings it cannot read', () => {
    expect(mergeGeminiHooks('{ // comment\n}', command).status).toBe('skipped');
    expect(mergeGeminiHooks('{"hooks":{"BeforeTool":{}}}', command).status).toBe('skipped');
  });
});
