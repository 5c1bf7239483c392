import { symlink } from 'node:fs/promises';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { envfileCheck, guardCheck, isolationCheck, trustCheck } from './doctor-checks.js';

describe('envfileCheck', () => {
  const project = useTestdir();

  it('fails an envfile reached through a symlink that leads into the project', async () => {
    const tree = await project({ 'app/secrets/app.env': { content: 'K=v\n', mode: 0o600 } });
    await symlink(tree.path('app/secrets'), tree.path('vault'));
    const check = await envfileCheck(tree.path('vault/app.env'), tree.path('app'));
    expect(check.status).toBe('fail');
  });

  it('fails an envfile under a project folder named ..x', async () => {
    const tree = await project({ 'app/..x/app.env': { content: 'K=v\n', mode: 0o600 } });
    expect((await envfileCheck(tree.path('app/..x/app.env'), tree.path('app'))).status).toBe(
      'fail',
    );
  });

  it('warns on a missing or group-readable envfile outside and accepts a private one', async () => {
    const tree = await project({
      'app/x': '',
      'open.env': { content: 'K=v\n', mode: 0o644 },
      'private.env': { content: 'K=v\n', mode: 0o600 },
    });
    const app = tree.path('app');
    expect(await envfileCheck(tree.path('missing.env'), app)).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/does not exist yet/),
    });
    expect(await envfileCheck(tree.path('open.env'), app)).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/chmod 600/),
    });
    expect(await envfileCheck(tree.path('private.env'), app)).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/mode 600/),
    });
  });
});

describe('trustCheck', () => {
  it('reports trusted, untrusted and the changed files', () => {
    expect(
      trustCheck({ status: 'trusted', policySha256: 'ab', verified: [], programs: {} }, '/p', '/c')
        .status,
    ).toBe('ok');
    expect(trustCheck({ status: 'untrusted' }, '/p', '/c').status).toBe('warn');
    const changed = trustCheck(
      { status: 'changed', changed: [{ path: '/p/ironrun.yml', reason: 'modified' }] },
      '/p',
      '/c',
    );
    expect(changed).toEqual({
      name: 'trust',
      status: 'fail',
      detail: 'changed since trusted: ironrun.yml (modified)',
    });
  });
});

describe('isolationCheck', () => {
  const report = {
    platform: 'linux' as const,
    unshare: null,
    userNamespace: false,
    pidNamespace: false,
    noNetwork: false,
    sandboxExec: null,
    notes: [],
  };

  it('fails only when a command needs no_network and the machine cannot give it', () => {
    expect(isolationCheck({ ...report, noNetwork: true }, true).status).toBe('ok');
    expect(isolationCheck(report, true)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/will be refused/),
    });
    expect(isolationCheck(report, false).status).toBe('warn');
  });

  it('names the native init and its seccomp filter, and fails where the filter cannot be had', () => {
    const linux = { ...report, pidNamespace: true, noNetwork: true };
    expect(
      isolationCheck({ ...linux, nativeInit: '/x/ironrun-init', seccomp: true }, false),
    ).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('native init: yes (seccomp filter: yes)'),
    });
    expect(
      isolationCheck({ ...linux, nativeInit: '/x/ironrun-init', seccomp: false }, false),
    ).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('seccomp filter: no, so every run is refused'),
    });
    expect(isolationCheck({ ...linux, nativeInit: null, seccomp: false }, false)).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('native init: no (Node init: no seccomp filter)'),
    });
  });
});

describe('guardCheck', () => {
  it('finds the guard hook in the settings text', () => {
    expect(guardCheck('{"command":"ironrun guard"}').status).toBe('ok');
    expect(guardCheck(undefined).status).toBe('info');
  });
});
