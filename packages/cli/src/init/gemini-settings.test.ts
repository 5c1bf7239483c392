import { describe, expect, it } from 'vitest';
import { mergeGeminiHooks } from './gemini-settings.js';

const command = 'node /app/node_modules/@ironrun/cli/dist/guard.js || { exit 2; }';

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

  it('never touches settings it cannot read', () => {
    expect(mergeGeminiHooks('{ // comment\n}', command).status).toBe('skipped');
    expect(mergeGeminiHooks('{"hooks":{"BeforeTool":{}}}', command).status).toBe('skipped');
  });
});
