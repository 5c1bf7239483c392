import { describe, expect, it } from 'vitest';
import {
  type ClaudeProtections,
  claudeDenyRules,
  claudeRulePath,
  claudeSandboxFilesystem,
  guardMatcher,
  mergeClaudeSettings,
} from './claude-settings.js';

describe('claudeRulePath', () => {
  it('writes ~/ under the home folder and // for other absolute paths', () => {
    expect(claudeRulePath('/home/dev/.config/ironrun', '/home/dev')).toBe('~/.config/ironrun');
    expect(claudeRulePath('/etc/ironrun/x.env', '/home/dev')).toBe('//etc/ironrun/x.env');
  });

  it('writes ~/ for a folder under home whose name starts with two dots (..x)', () => {
    expect(claudeRulePath('/home/dev/..vault/app.env', '/home/dev')).toBe('~/..vault/app.env');
    expect(claudeRulePath('/home/dev2/app.env', '/home/dev')).toBe('//home/dev2/app.env');
  });
});

describe('mergeClaudeSettings', () => {
  const options = {
    guardCommand: 'ironrun guard',
    denyRules: claudeDenyRules({
      envfiles: ['/home/dev/a.env'],
      configDir: '/home/dev/.config/ironrun',
      programs: ['op', 'doppler', 'infisical'],
    }),
  };

  it('adds the hook and the deny rules, keeping the other settings', () => {
    const existing = JSON.stringify({
      model: 'opus',
      permissions: { allow: ['Bash(npm test)'], deny: ['Bash(rm -rf *)'] },
    });
    const outcome = mergeClaudeSettings(existing, options);
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    const settings = JSON.parse(outcome.text);
    expect(settings.model).toBe('opus');
    expect(settings.permissions.allow).toEqual(['Bash(npm test)']);
    expect(settings.permissions.deny[0]).toBe('Bash(rm -rf *)');
    expect(settings.permissions.deny).toContain('Bash(op *)');
    expect(settings.hooks.PreToolUse).toEqual([
      { matcher: guardMatcher, hooks: [{ type: 'command', command: 'ironrun guard' }] },
    ]);
  });

  it('is idempotent and recognises a guard hook registered with another launcher', () => {
    const first = mergeClaudeSettings(undefined, options);
    expect(first.status).toBe('create');
    if (first.status !== 'create') return;
    expect(mergeClaudeSettings(first.text, options)).toEqual({ status: 'unchanged' });
    const other = mergeClaudeSettings(first.text, {
      ...options,
      guardCommand: 'npx -y @ironrun/cli guard',
    });
    expect(other).toEqual({ status: 'unchanged' });
  });

  it('never touches a file that is not a JSON object', () => {
    expect(mergeClaudeSettings('nope', options).status).toBe('skipped');
  });
});

describe('the vault folders, the settings and the policy', () => {
  const protections: ClaudeProtections = {
    envfiles: ['/srv/keys/app.env'],
    configDir: '/srv/ironrun-config',
    programs: ['op'],
    vaultFolders: ['/srv/home/.config/op', '/srv/home/.doppler'],
    projectDir: '/srv/app',
  };
  const options = {
    guardCommand: 'ironrun guard',
    denyRules: claudeDenyRules(protections),
    sandbox: claudeSandboxFilesystem(protections),
  };

  it('denies reading and changing each vault CLI folder, and changing the settings and ironrun.yml', () => {
    const rules = claudeDenyRules(protections);
    for (const folder of ['//srv/home/.config/op/**', '//srv/home/.doppler/**']) {
      expect(rules).toContain(`Read(${folder})`);
      expect(rules).toContain(`Edit(${folder})`);
    }
    expect(rules).toContain('Edit(//srv/app/.claude/settings*.json)');
    expect(rules).toContain('Edit(//srv/app/ironrun.yml)');
    // The agent may read the policy (it lists the commands); it may not read the secrets.
    expect(rules).not.toContain('Read(//srv/app/ironrun.yml)');
    expect(rules).toContain('Read(//srv/keys/app.env)');
  });

  it('gives the sandbox the same secret locations to deny, and the project files to keep unwritten', () => {
    const { denyRead, denyWrite } = claudeSandboxFilesystem(protections);
    expect(denyRead).toEqual([
      '//srv/keys/app.env',
      '//srv/ironrun-config/**',
      '//srv/home/.config/op/**',
      '//srv/home/.doppler/**',
    ]);
    expect(denyWrite).toEqual([
      ...denyRead,
      '//srv/app/.claude/settings*.json',
      '//srv/app/ironrun.yml',
    ]);
  });

  it('merges the sandbox lists into existing ones without enabling the sandbox, and adds nothing twice', () => {
    const existing = JSON.stringify({
      sandbox: { enabled: false, filesystem: { denyRead: ['~/.aws/**', '//srv/keys/app.env'] } },
    });
    const first = mergeClaudeSettings(existing, options);
    expect(first.status).toBe('update');
    if (first.status !== 'update') return;
    const settings = JSON.parse(first.text);
    expect(settings.sandbox.enabled).toBe(false);
    expect(settings.sandbox.filesystem.denyRead[0]).toBe('~/.aws/**');
    expect(
      settings.sandbox.filesystem.denyRead.filter((path: string) => path === '//srv/keys/app.env'),
    ).toHaveLength(1);
    expect(settings.sandbox.filesystem.denyWrite).toContain('//srv/app/ironrun.yml');
    expect(mergeClaudeSettings(first.text, options)).toEqual({ status: 'unchanged' });
  });

  it('leaves a sandbox list that is not a list alone', () => {
    const existing = JSON.stringify({ sandbox: { filesystem: { denyRead: '~/.aws' } } });
    expect(mergeClaudeSettings(existing, options).status).toBe('skipped');
  });
});
