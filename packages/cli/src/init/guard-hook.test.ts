import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTestdir } from '@ironrun/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { failClosedSuffix, guardHookCommand, replaceFailOpenGuard } from './guard-hook.js';

describe('guardHookCommand', () => {
  const makeDir = useTestdir();
  let root: string;
  beforeEach(async () => {
    root = (await makeDir()).dir;
  });

  it('runs the guard next to the running CLI by absolute path, failing closed', async () => {
    const entry = join(root, 'cli', 'dist', 'guard.cjs');
    await mkdir(join(root, 'cli', 'dist'), { recursive: true });
    await writeFile(entry, '');
    const hook = guardHookCommand({
      projectDir: root,
      execPath: '/opt/node 20/bin/node',
      guardEntry: entry,
    });
    expect(hook.command).toBe(`'/opt/node 20/bin/node' ${entry} ${failClosedSuffix}`);
    expect(hook.note).toBeUndefined();
  });

  it("prefers the project's own install, through $CLAUDE_PROJECT_DIR, and its CommonJS entry", async () => {
    const dist = join(root, 'node_modules', '@ironrun', 'cli', 'dist');
    await mkdir(dist, { recursive: true });
    // An install from before dist/guard.cjs has only the ES entry.
    await writeFile(join(dist, 'guard.js'), '');
    expect(guardHookCommand({ projectDir: root }).command).toBe(
      `node "$CLAUDE_PROJECT_DIR"/node_modules/@ironrun/cli/dist/guard.js ${failClosedSuffix}`,
    );
    await writeFile(join(dist, 'guard.cjs'), '');
    expect(guardHookCommand({ projectDir: root }).command).toBe(
      `node "$CLAUDE_PROJECT_DIR"/node_modules/@ironrun/cli/dist/guard.cjs ${failClosedSuffix}`,
    );
  });

  it('uses --bin when it names an installed command, but never npx', () => {
    const missing = join(root, 'none.js');
    expect(
      guardHookCommand({ projectDir: root, bin: ['ironrun'], guardEntry: missing }).command,
    ).toBe(`ironrun guard ${failClosedSuffix}`);
    const viaNpx = guardHookCommand({
      projectDir: root,
      bin: ['npx', '-y', '@ironrun/cli'],
      execPath: '/usr/local/bin/ironrun',
      guardEntry: missing,
    });
    expect(viaNpx.command).toBe(`/usr/local/bin/ironrun guard ${failClosedSuffix}`);
  });

  it("warns when the guard sits in npx's cache", async () => {
    const entry = join(root, '_npx', 'abc', 'guard.cjs');
    await mkdir(join(root, '_npx', 'abc'), { recursive: true });
    await writeFile(entry, '');
    expect(guardHookCommand({ projectDir: root, guardEntry: entry }).note).toMatch(/npx's cache/);
  });
});

describe('replaceFailOpenGuard', () => {
  const settings = (command: string) =>
    JSON.stringify({
      permissions: { deny: ['Bash(op *)'] },
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command }] }] },
    });

  it('rewrites an npx guard hook, which fails open, to the fail-closed command', () => {
    const next = replaceFailOpenGuard(settings('npx -y @ironrun/cli guard'), 'NEW || exit 2');
    expect(next === undefined ? undefined : JSON.parse(next)).toEqual(
      JSON.parse(settings('NEW || exit 2')),
    );
  });

  it('rewrites a hook on the old ES entry dist/guard.js, keeping one guard hook', () => {
    const wanted = `node /app/dist/guard.cjs ${failClosedSuffix}`;
    const old = `node /app/dist/guard.js ${failClosedSuffix}`;
    const next = replaceFailOpenGuard(settings(old), wanted);
    expect(next === undefined ? undefined : JSON.parse(next)).toEqual(JSON.parse(settings(wanted)));
    // Both present (a guard.js hook next to the current one): the old one goes.
    const both = JSON.stringify({
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [{ type: 'command', command: old }] },
          {
            matcher: 'Read',
            hooks: [
              { type: 'command', command: 'audit.sh' },
              { type: 'command', command: wanted },
            ],
          },
        ],
      },
    });
    const deduplicated = replaceFailOpenGuard(both, wanted);
    expect(deduplicated === undefined ? undefined : JSON.parse(deduplicated)).toEqual({
      hooks: {
        PreToolUse: [
          {
            matcher: 'Read',
            hooks: [
              { type: 'command', command: 'audit.sh' },
              { type: 'command', command: wanted },
            ],
          },
        ],
      },
    });
    expect(replaceFailOpenGuard(settings(wanted), wanted)).toBeUndefined();
    // dist/guard.json, or a guard.js that is not ironrun's, is not the old entry.
    expect(
      replaceFailOpenGuard(settings('node /x/dist/guard.json || exit 2'), wanted),
    ).toBeUndefined();
    expect(
      replaceFailOpenGuard(settings('node /x/dist/guard.js || exit 2'), wanted),
    ).toBeUndefined();
  });

  it('leaves other hooks, fail-closed guards and unreadable text alone', () => {
    expect(replaceFailOpenGuard(settings('prettier --write'), 'NEW')).toBeUndefined();
    expect(
      replaceFailOpenGuard(settings(`ironrun guard ${failClosedSuffix}`), 'NEW'),
    ).toBeUndefined();
    expect(replaceFailOpenGuard('not json', 'NEW')).toBeUndefined();
    expect(replaceFailOpenGuard(undefined, 'NEW')).toBeUndefined();
  });
});
