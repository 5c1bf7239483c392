import { builtinProviderReferences } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../src/validate-policy.js';

// Written as the agent would: it edits ironrun.yml so that a trusted-looking
// `npm test` or `python x.py` loads code the agent placed elsewhere, by
// setting a variable the program's own tooling turns into code loading.
// NODE_OPTIONS itself was refused before; these indirect forms were accepted
// (checked against b95045b: every case below validated without an issue).

function issuesOf(env: string, extra = ''): { code: string; message: string }[] {
  const text = `version: 1
provider: envfile
commands:
  - id: test
    argv: [npm, test]
    env:
${env}
${extra}`;
  return validatePolicy(text, {
    providers: builtinProviderReferences,
    filename: '/srv/app/ironrun.yml',
  }).issues;
}

describe('indirect loader settings in env', () => {
  it.each([
    ['npm_config_node_options', '--require ./hook.js'],
    ['NPM_CONFIG_NODE_OPTIONS', '--require ./hook.js'],
    ['npm_config_script_shell', './evil.sh'],
    ['pnpm_config_node_options', '--require ./hook.js'],
    ['YARN_YARN_PATH', './evil.cjs'],
    ['NODE_PATH', './planted'],
    ['PYTHONPATH', './planted'],
    ['PYTHONSTARTUP', './planted.py'],
    ['PYTHONHOME', './planted'],
    ['PYTHONUSERBASE', './planted'],
    ['PYTHONWARNINGS', 'error::planted.Category'],
    ['RUBYLIB', './planted'],
    ['PERL5LIB', './planted'],
    ['PERLLIB', './planted'],
    ['JDK_JAVA_OPTIONS', '-javaagent:./agent.jar'],
    ['CLASSPATH', './planted.jar'],
    ['GIT_CONFIG_COUNT', '1'],
    ['GIT_CONFIG_KEY_0', 'core.fsmonitor'],
    ['GIT_CONFIG_VALUE_0', './evil.sh'],
    ['GIT_CONFIG_GLOBAL', './planted.gitconfig'],
    ['GIT_EXEC_PATH', './planted'],
    ['GIT_SSH_COMMAND', './evil.sh'],
    ['GIT_ASKPASS', './evil.sh'],
    ['ZDOTDIR', './planted'],
    ['OPENSSL_CONF', './planted.cnf'],
    ['GOFLAGS', '-toolexec=./evil.sh'],
    ['DOTNET_STARTUP_HOOKS', './hook.dll'],
  ])('refuses %s set to a plain value', (name, value) => {
    const issues = issuesOf(`      ${name}: ${JSON.stringify(value)}`);
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'FORBIDDEN_ENV',
        message: expect.stringContaining('allow_loader_env'),
      }),
    ]);
  });

  it('refuses a loader variable whose value is a secret reference (the name decides)', () => {
    const issues = issuesOf('      PYTHONPATH: envfile://PY_PATH');
    expect(issues.map((issue) => issue.code)).toEqual(['FORBIDDEN_ENV']);
  });

  it('accepts a loader variable a person listed under allow_loader_env', () => {
    expect(issuesOf('      PYTHONPATH: /opt/lib', '    allow_loader_env: [PYTHONPATH]')).toEqual(
      [],
    );
  });

  it('refuses an allow_loader_env entry that is unused, not a loader variable, or never settable', () => {
    const issues = issuesOf(
      '      STRIPE: envfile://STRIPE',
      '    allow_loader_env: [PYTHONPATH, STRIPE, LD_PRELOAD]',
    );
    expect(issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('not set in this command'),
      expect.stringContaining('not a variable that loads code'),
      expect.stringContaining('may never be set'),
    ]);
  });

  it('still allows ordinary variables', () => {
    expect(issuesOf('      NODE_ENV: production\n      STRIPE: envfile://STRIPE')).toEqual([]);
  });
});
