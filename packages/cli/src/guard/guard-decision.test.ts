import { describe, expect, it } from 'vitest';
import { decideGuard, type GuardRules, hookOutput } from './guard-decision.js';

const rules: GuardRules = {
  cwd: '/work/app',
  home: '/home/dev',
  vaultPrograms: ['op', 'doppler', 'infisical'],
  protectedPaths: [
    { path: '/home/dev/.config/ironrun', what: 'the ironrun config folder', directory: true },
    { path: '/home/dev/vault/app.env', what: 'the envfile', directory: false },
  ],
  credentialVariables: ['DOPPLER_TOKEN', 'OP_SERVICE_ACCOUNT_TOKEN'],
  credentialPrefixes: ['OP_SESSION_'],
  credentialsPresent: [],
  sealedCommands: [
    { id: 'deploy', argv: ['./scripts/deploy.sh', '--prod'] },
    { id: 'migrate', argv: ['npm', 'run', 'migrate'] },
  ],
  policyDir: '/work/app',
};

const bash = (command: string, overrides: Partial<GuardRules> = {}) =>
  decideGuard({ tool_name: 'Bash', tool_input: { command } }, { ...rules, ...overrides });

describe('decideGuard', () => {
  it.each([
    'npm test',
    'git diff -- ironrun.yml',
    'cat README.md | grep trust',
    'ironrun run deploy',
    'ironrun list --json',
    'npm run migrate:status',
    'env',
  ])('has no objection to %s', (command) => {
    expect(bash(command)).toEqual({ action: 'allow' });
  });

  it.each([
    ['op read op://v/i/f', /`op`/],
    ['/usr/local/bin/op item get x', /`op`/],
    ['doppler run -- ./scripts/deploy.sh', /`doppler`/],
    ['cat ~/vault/app.env', /envfile/],
    ['cat $HOME/vault/app.env', /envfile/],
    ['cd ~/vault && cat app.env', /envfile/],
    ['cp /home/dev/.config/ironrun/trust/a.json /tmp', /config folder/],
    ['echo {} > ~/.config/ironrun/trust/x.json', /config folder/],
    ['IRONRUN_CONFIG_DIR=/tmp/mine ironrun run deploy', /config folder/],
    ['ironrun trust --yes', /ironrun trust/],
    ['node node_modules/@ironrun/cli/dist/cli.js trust --yes', /ironrun trust/],
    ['./scripts/deploy.sh', /outside the seal/],
    ['sh ./scripts/deploy.sh --prod', /outside the seal/],
    ['npm run migrate', /"migrate"/],
    ['echo $DOPPLER_TOKEN', /DOPPLER_TOKEN/],
    ['printenv OP_SESSION_my_team', /OP_SESSION_my_team/],
    ['script -qc "ironrun trust" /dev/null', /ironrun/],
  ])('denies %s', (command, reason) => {
    const decision = bash(command);
    expect(decision.action).toBe('deny');
    expect(decision.action === 'deny' && decision.reason).toMatch(reason);
  });

  it('denies environment dumps only when a vault credential is present', () => {
    for (const command of ['env', 'printenv', 'export -p', 'cat /proc/self/environ']) {
      expect(bash(command, { credentialsPresent: ['DOPPLER_TOKEN'] }).action).toBe('deny');
    }
    expect(bash('cat /proc/self/environ').action).toBe('allow');
  });

  it('denies file tools on the envfile and the trust store, by any spelling', () => {
    const file = (tool: string, input: Record<string, unknown>) =>
      decideGuard({ tool_name: tool, tool_input: input }, rules);
    expect(file('Read', { file_path: '/home/dev/vault/app.env' }).action).toBe('deny');
    expect(file('Read', { file_path: '/home/dev/vault/../vault/app.env' }).action).toBe('deny');
    expect(file('Edit', { file_path: '/home/dev/.config/ironrun/trust/x.json' }).action).toBe(
      'deny',
    );
    expect(file('Grep', { pattern: 'KEY', path: '/home/dev/.config/ironrun' }).action).toBe('deny');
    expect(file('Read', { file_path: '/work/app/src/index.ts' }).action).toBe('allow');
  });

  it('denies a file under a protected folder whose child folder name starts with two dots (..x)', () => {
    const file = (tool: string, input: Record<string, unknown>) =>
      decideGuard({ tool_name: tool, tool_input: input }, rules);
    expect(file('Read', { file_path: '/home/dev/.config/ironrun/..x/trust.json' }).action).toBe(
      'deny',
    );
    expect(file('Write', { file_path: '/home/dev/.config/ironrun/...json' }).action).toBe('deny');
    expect(bash('cat ~/.config/ironrun/..x/trust.json').action).toBe('deny');
  });

  it('denies inline code that reads an envfile under a home folder whose name starts with two dots', () => {
    const dotted: Partial<GuardRules> = {
      protectedPaths: [
        { path: '/home/dev/..vault/app.env', what: 'the envfile', directory: false },
      ],
    };
    const code = `python3 -c "import os; print(open(os.path.expanduser('~') + '/..vault/app.env').read())"`;
    expect(bash(code, dotted).action).toBe('deny');
  });

  it('has no objection to tools it does not guard, or to input without a command', () => {
    expect(decideGuard({ tool_name: 'WebFetch', tool_input: { url: 'x' } }, rules)).toEqual({
      action: 'allow',
    });
    expect(decideGuard({ tool_name: 'Bash', tool_input: {} }, rules)).toEqual({ action: 'allow' });
  });
});

describe('hookOutput', () => {
  it('prints nothing for no objection', () => {
    expect(hookOutput({ action: 'allow' })).toBe('');
  });

  it('prints the documented PreToolUse deny object on one line', () => {
    expect(hookOutput({ action: 'deny', reason: 'no' })).toBe(
      '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no"}}\n',
    );
  });
});
