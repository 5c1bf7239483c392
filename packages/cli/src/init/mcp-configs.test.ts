import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { codexServerTable, mergeCodexConfig, mergeJsonMcpConfig } from './mcp-configs.js';

const entry = { type: 'stdio', command: 'ironrun', args: ['mcp'] };

describe('mergeJsonMcpConfig', () => {
  it('creates the file with only the ironrun server', () => {
    const outcome = mergeJsonMcpConfig(undefined, { key: 'servers', name: 'ironrun', entry });
    expect(outcome.status).toBe('create');
    expect(outcome.status === 'create' && JSON.parse(outcome.text)).toEqual({
      servers: { ironrun: entry },
    });
  });

  it('adds the server next to the others, keeping every other key and the indentation', () => {
    const existing = `${JSON.stringify({ mcpServers: { gh: { command: 'gh' } }, inputs: [1] }, null, 4)}\n`;
    const outcome = mergeJsonMcpConfig(existing, { key: 'mcpServers', name: 'ironrun', entry });
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    expect(JSON.parse(outcome.text)).toEqual({
      mcpServers: { gh: { command: 'gh' }, ironrun: entry },
      inputs: [1],
    });
    expect(outcome.text).toMatch(/^ {4}"mcpServers"/m);
  });

  it('leaves an existing ironrun entry alone, and says so when it differs', () => {
    const same = JSON.stringify({ mcpServers: { ironrun: entry } });
    expect(mergeJsonMcpConfig(same, { key: 'mcpServers', name: 'ironrun', entry })).toEqual({
      status: 'unchanged',
    });
    const custom = JSON.stringify({ mcpServers: { ironrun: { command: 'my-ironrun' } } });
    const outcome = mergeJsonMcpConfig(custom, { key: 'mcpServers', name: 'ironrun', entry });
    expect(outcome.status).toBe('unchanged');
    expect('note' in outcome && outcome.note).toMatch(/kept the existing/);
  });

  it('never touches a file it cannot read as a JSON object', () => {
    for (const text of ['// comment\n{}', '[1]', '{"mcpServers": 3}']) {
      expect(mergeJsonMcpConfig(text, { key: 'mcpServers', name: 'ironrun', entry }).status).toBe(
        'skipped',
      );
    }
  });
});

describe('mergeCodexConfig', () => {
  const table = codexServerTable({
    launch: { command: 'ironrun', args: ['mcp'] },
    envVars: ['DOPPLER_TOKEN'],
    toolTimeoutSec: 90,
  });

  it('appends [mcp_servers.ironrun], leaving the rest byte for byte', () => {
    const existing = '# my settings\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "x"\n';
    const outcome = mergeCodexConfig(existing, { name: 'ironrun', table });
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    expect(outcome.text.startsWith(existing)).toBe(true);
    const parsed = parse(outcome.text) as { mcp_servers: Record<string, Record<string, unknown>> };
    expect(parsed.mcp_servers.ironrun).toMatchObject({
      command: 'ironrun',
      env_vars: ['DOPPLER_TOKEN'],
      tool_timeout_sec: 90,
    });
    expect(parsed.mcp_servers.other).toEqual({ command: 'x' });
  });

  it('is idempotent', () => {
    const first = mergeCodexConfig(undefined, { name: 'ironrun', table });
    expect(first.status).toBe('create');
    if (first.status !== 'create') return;
    expect(mergeCodexConfig(first.text, { name: 'ironrun', table })).toEqual({
      status: 'unchanged',
    });
  });

  it('never touches invalid TOML', () => {
    expect(mergeCodexConfig('[[broken', { name: 'ironrun', table }).status).toBe('skipped');
  });
});
