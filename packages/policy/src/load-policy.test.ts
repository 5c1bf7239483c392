import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { rejection, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicy } from './load-policy.js';
import { isPolicyError } from './policy-error.js';

const valid =
  'version: 1\nprovider: envfile\ncommands:\n  - { id: a, argv: [./run.sh], cwd: sub }\n';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function project(files: Record<string, string>) {
  const dir = await testdir(files);
  cleanups.push(dir.cleanup);
  return dir;
}

const failure = (promise: Promise<unknown>) => rejection(promise, isPolicyError);

describe('loadPolicy', () => {
  it('reads a policy and resolves its real path and folder', async () => {
    const dir = await project({ 'ironrun.yml': valid });
    const policy = await loadPolicy(dir.path('ironrun.yml'));
    expect(policy.path).toBe(dir.path('ironrun.yml'));
    expect(policy.dir).toBe(dir.dir);
    expect(policy.commands[0]?.cwd).toBe(join(dir.dir, 'sub'));
  });

  it('resolves a symlinked policy to its real path, so its folder is the real project', async () => {
    const real = await project({ 'ironrun.yml': valid });
    const other = await project({});
    await symlink(real.path('ironrun.yml'), other.path('ironrun.yml'));
    const policy = await loadPolicy(other.path('ironrun.yml'));
    expect(policy.path).toBe(real.path('ironrun.yml'));
    expect(policy.dir).toBe(real.dir);
  });

  it('names the file as given in every issue line', async () => {
    const dir = await project({ 'ironrun.yml': valid.replace('./run.sh]', './run.sh], ttl: 1d') });
    const error = await failure(loadPolicy(dir.path('ironrun.yml')));
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message.split('\n')[1]).toMatch(
      new RegExp(`^${dir.path('ironrun.yml')}:4:\\d+: commands\\[0\\]\\.ttl:`),
    );
  });

  it('throws READ_FAILED for a missing file, a folder, or text that is not UTF-8', async () => {
    const dir = await project({ 'sub/.keep': '' });
    expect((await failure(loadPolicy(dir.path('nope.yml')))).message).toBe(
      `cannot read policy ${dir.path('nope.yml')}: no such file`,
    );
    expect((await failure(loadPolicy(dir.path('sub')))).message).toContain('not a regular file');
    await dir.write({ 'bad.yml': { content: new Uint8Array([0x76, 0xff, 0xfe]) } });
    expect((await failure(loadPolicy(dir.path('bad.yml')))).message).toContain('not valid UTF-8');
  });

  it('accepts the schemes of third-party providers', async () => {
    const dir = await project({
      'ironrun.yml':
        'version: 1\nprovider: ironrun-provider-vault\ncommands:\n  - { id: a, argv: [x], env: { T: "vault://kv/t" } }\n',
    });
    await expect(loadPolicy(dir.path('ironrun.yml'))).rejects.toThrow(/UNKNOWN|no provider claims/);
    const policy = await loadPolicy(dir.path('ironrun.yml'), { schemes: ['vault'] });
    expect(policy.commands[0]?.env.T).toEqual({
      kind: 'secret',
      ref: 'vault://kv/t',
      scheme: 'vault',
    });
  });
});
