import { parsePolicy } from '@ironrun/policy';
import { builtinProviderReferences } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { listCommands } from './list-commands.js';
import { toAgentCommand } from './to-agent-command.js';

const policy = parsePolicy(
  [
    'version: 1',
    'provider: envfile',
    'commands:',
    '  - id: deploy',
    '    description: ships it',
    '    argv: [./deploy.sh, --prod]',
    '    env: { TOKEN: envfile://TOKEN, MODE: production }',
    '    args: { pattern: "[a-z]+", max: 2 }',
    '    ttl: 30s',
    '    no_network: true',
    '    confirm: true',
    '  - id: test',
    '    argv: [npm, test]',
    '',
  ].join('\n'),
  { filename: '/project/ironrun.yml', providers: builtinProviderReferences },
);

describe('toAgentCommand', () => {
  it('maps a command with every option to snake_case, names of variables only', () => {
    const [deploy] = listCommands(policy).map(toAgentCommand);
    expect(deploy).toEqual({
      id: 'deploy',
      description: 'ships it',
      argv: ['./deploy.sh', '--prod'],
      env: ['TOKEN', 'MODE'],
      accepts_args: true,
      args_pattern: '[a-z]+',
      max_args: 2,
      allow_options: false,
      ttl_ms: 30_000,
      no_network: true,
      confirm: true,
      max_output: 16 * 1024,
    });
    expect(JSON.stringify(deploy)).not.toContain('envfile://');
  });

  it('leaves out description and args when the policy has none', () => {
    const [, test] = listCommands(policy).map(toAgentCommand);
    expect(test).toEqual({
      id: 'test',
      argv: ['npm', 'test'],
      env: [],
      accepts_args: false,
      ttl_ms: 60_000,
      no_network: false,
      confirm: false,
      max_output: 16 * 1024,
    });
    expect(Object.hasOwn(test ?? {}, 'description')).toBe(false);
    expect(Object.hasOwn(test ?? {}, 'args_pattern')).toBe(false);
  });
});
