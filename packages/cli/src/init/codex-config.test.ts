import { builtinProviderDeclarations } from '@ironrun/core';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import {
  chainMerges,
  codexExcludes,
  codexUserSnippet,
  mergeCodexShellPolicy,
} from './codex-config.js';
import { codexServerTable, mergeCodexConfig } from './mcp-configs.js';

const declarations = Object.values(builtinProviderDeclarations());

describe('codexExcludes', () => {
  it('holds every credential variable the built-in providers declare, and their prefixes as patterns', () => {
    const exclude = codexExcludes({ declarations });
    for (const declaration of declarations) {
      for (const { env } of declaration.credentials) expect(exclude).toContain(env);
      for (const prefix of declaration.credentialPrefixes) expect(exclude).toContain(`${prefix}*`);
    }
    expect(exclude).toContain('OP_SERVICE_ACCOUNT_TOKEN');
    expect(exclude).toContain('DOPPLER_TOKEN');
    expect(exclude).toContain('OP_SESSION_*');
    expect(new Set(exclude).size).toBe(exclude.length);
  });

  it('adds a renamed credential variable (token_env)', () => {
    expect(codexExcludes({ declarations, renamed: ['CI_DOPPLER'] })).toContain('CI_DOPPLER');
  });
});

describe('mergeCodexShellPolicy', () => {
  const exclude = ['DOPPLER_TOKEN', 'OP_SESSION_*'];

  it('appends the table to a file without one, keeping the rest byte for byte', () => {
    const existing = '# mine\nmodel = "o3"\n';
    const outcome = mergeCodexShellPolicy(existing, exclude);
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    expect(outcome.text.startsWith(existing)).toBe(true);
    expect(parseToml(outcome.text)).toMatchObject({
      model: 'o3',
      shell_environment_policy: { exclude },
    });
    expect(mergeCodexShellPolicy(outcome.text, exclude)).toEqual({ status: 'unchanged' });
  });

  it('never rewrites an existing table; it names what is missing (case-insensitively, as Codex matches)', () => {
    const existing = '[shell_environment_policy]\n# keep me\nexclude = ["doppler_token"]\n';
    const outcome = mergeCodexShellPolicy(existing, exclude);
    expect(outcome.status).toBe('unchanged');
    expect(outcome).toHaveProperty('note');
    const note = (outcome as { note: string }).note;
    expect(note).toContain('OP_SESSION_*');
    expect(note).not.toContain('DOPPLER_TOKEN');
  });

  it('leaves a file that is not TOML alone', () => {
    expect(mergeCodexShellPolicy('[[x', exclude).status).toBe('skipped');
  });
});

describe('the project file: server table and shell policy together', () => {
  const table = codexServerTable({
    launch: { command: 'ironrun', args: ['mcp'] },
    envVars: ['DOPPLER_TOKEN'],
    toolTimeoutSec: 60,
  });
  const merges = [
    (text: string | undefined) => mergeCodexConfig(text, { name: 'ironrun', table }),
    (text: string | undefined) => mergeCodexShellPolicy(text, ['DOPPLER_TOKEN']),
  ];

  it('creates both tables, and a second run changes nothing', () => {
    const first = chainMerges(undefined, merges);
    expect(first.status).toBe('create');
    if (first.status !== 'create') return;
    const parsed = JSON.parse(JSON.stringify(parseToml(first.text)));
    expect(parsed.mcp_servers.ironrun.env_vars).toEqual(['DOPPLER_TOKEN']);
    expect(parsed.shell_environment_policy.exclude).toEqual(['DOPPLER_TOKEN']);
    expect(chainMerges(first.text, merges)).toEqual({ status: 'unchanged' });
  });

  it('adds the shell policy to a file that already has the server', () => {
    const only = mergeCodexConfig(undefined, { name: 'ironrun', table });
    if (only.status !== 'create') throw new Error('expected a new file');
    const outcome = chainMerges(only.text, merges);
    expect(outcome.status).toBe('update');
  });
});

describe('codexUserSnippet', () => {
  it('is TOML with the policy path in the server args and the shell policy', () => {
    const table = codexServerTable({
      launch: { command: '/usr/local/bin/ironrun', args: ['mcp'] },
      envVars: [],
      toolTimeoutSec: 60,
    });
    const text = codexUserSnippet({
      table,
      policyPath: '/work/app/ironrun.yml',
      exclude: ['DOPPLER_TOKEN'],
    });
    const parsed = JSON.parse(JSON.stringify(parseToml(text)));
    expect(parsed.mcp_servers.ironrun.command).toBe('/usr/local/bin/ironrun');
    expect(parsed.mcp_servers.ironrun.args).toEqual(['mcp', '--policy', '/work/app/ironrun.yml']);
    expect(parsed.shell_environment_policy.exclude).toEqual(['DOPPLER_TOKEN']);
  });
});
