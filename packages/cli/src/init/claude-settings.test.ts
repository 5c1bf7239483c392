import { describe, expect, it } from 'vitest';
import {
  claudeDenyRules,
  claudeRulePath,
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
