import { describe, expect, it } from 'vitest';
import { macosSandboxProfile } from './macos-sandbox-profile.js';

describe('macosSandboxProfile', () => {
  it('denies the secret locations and other processes, and escapes paths', () => {
    const profile = macosSandboxProfile([
      { path: '/Users/u/Library/Application Support/ironrun', kind: 'directory', reason: 'config' },
      { path: '/Users/u/we"ird\\.env', kind: 'file', reason: 'envfile' },
    ]);
    expect(profile).toContain(
      '(deny file-read* file-write* (subpath "/Users/u/Library/Application Support/ironrun") (literal "/Users/u/we\\"ird\\\\.env"))',
    );
    expect(profile).toContain('(deny process-info* (target others))');
    expect(profile).toContain('(deny signal (target others))');
  });
});
