import { chmod, symlink, writeFile } from 'node:fs/promises';
import { isInsideDirEitherWay } from '@ironrun/policy';
import { isProviderError, type ProviderError, type ResolveResult } from '@ironrun/provider';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEnvfileProvider, type EnvfileIo } from './envfile-provider.js';

const secret = 'sk_live_0123456789abcdef';
const signal = () => new AbortController().signal;

describe('createEnvfileProvider', () => {
  const dirs: TestDir[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await dir.cleanup();
  });
  async function setup(files: Parameters<typeof testdir>[0] = {}) {
    const config = await testdir({ 'secrets.env': { content: `KEY=${secret}\n`, mode: 0o600 } });
    const project = await testdir({ 'ironrun.yml': 'version: 1\n', ...files });
    dirs.push(config, project);
    const warnings: string[] = [];
    const context = {
      projectDir: project.dir,
      configDir: config.dir,
      env: {},
      timeoutMs: 1000,
      isInsideProject: (path: string) => isInsideDirEitherWay(project.dir, path),
      warn: (message: string) => warnings.push(message),
    };
    return { config, project, warnings, context };
  }
  async function failure(promise: Promise<unknown>): Promise<ProviderError> {
    const error = await promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (caught: unknown) => caught,
    );
    expect(isProviderError(error)).toBe(true);
    return error as ProviderError;
  }

  it('reads <configDir>/secrets.env by default', async () => {
    const { context, warnings } = await setup();
    const provider = await createEnvfileProvider({}, context);
    expect(await provider.resolve(['envfile://KEY'], { signal: signal() })).toEqual([
      { ref: 'envfile://KEY', found: true, value: secret },
    ]);
    expect(warnings).toEqual([]);
  });

  it('says where the file should be and how to create it when it is missing', async () => {
    const { context } = await setup();
    const provider = await createEnvfileProvider(
      { path: '/nonexistent/ironrun/secrets.env' },
      context,
    );
    const error = await failure(provider.resolve(['envfile://KEY'], { signal: signal() }));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('/nonexistent/ironrun/secrets.env does not exist');
    expect(error.message).toContain('install -m 600 /dev/null /nonexistent/ironrun/secrets.env');
    expect(error.refs).toEqual(['envfile://KEY']);
  });

  it('reads the file again on every call instead of caching values', async () => {
    const { context, config } = await setup();
    const provider = await createEnvfileProvider({}, context);
    await provider.resolve(['envfile://KEY'], { signal: signal() });
    await writeFile(config.path('secrets.env'), 'KEY=rotated-value-42\n');
    expect(await provider.resolve(['envfile://KEY'], { signal: signal() })).toEqual([
      { ref: 'envfile://KEY', found: true, value: 'rotated-value-42' },
    ]);
  });

  it('warns, without a value, when the secrets file is inside the project', async () => {
    const { context, warnings } = await setup({
      '.secrets.env': { content: `KEY=${secret}\n`, mode: 0o600 },
    });
    const provider = await createEnvfileProvider({ path: '.secrets.env' }, context);
    await provider.resolve(['envfile://KEY'], { signal: signal() });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('inside the project');
    expect(warnings[0]).toContain('agent can read it');
    expect(warnings.join('\n')).not.toContain(secret);
  });

  it('symlink into the repository: warns when an outside path leads into the project', async () => {
    const { context, warnings, config, project } = await setup({ '.env': `KEY=${secret}\n` });
    await symlink(project.path('.env'), config.path('linked.env'));
    await createEnvfileProvider({ path: config.path('linked.env') }, context);
    expect(warnings.some((warning) => warning.includes('inside the project'))).toBe(true);
  });

  // The agent can create the file later, where the link leads: the folder is resolved even when
  // the file is not there yet (ironrun's one containment check, from the context).
  it('symlinked folder into the repository: warns for a secrets file that does not exist yet', async () => {
    const { context, warnings, config, project } = await setup({ 'vault/.keep': '' });
    await symlink(project.path('vault'), config.path('vault-link'));
    await createEnvfileProvider({ path: config.path('vault-link/secrets.env') }, context);
    expect(warnings.some((warning) => warning.includes('inside the project'))).toBe(true);
  });

  it('warns once when the file is readable by other users, and not when it is private', async () => {
    const { context, warnings, config } = await setup();
    const provider = await createEnvfileProvider({}, context);
    await provider.resolve(['envfile://KEY'], { signal: signal() });
    expect(warnings).toEqual([]);

    await chmod(config.path('secrets.env'), 0o644);
    const open = await createEnvfileProvider({}, context);
    await open.resolve(['envfile://KEY'], { signal: signal() });
    await open.resolve(['envfile://KEY'], { signal: signal() });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('mode 644');
    expect(warnings[0]).toContain('chmod 600');
  });

  it('falls back to a process warning when the context has no warn()', async () => {
    const { context } = await setup({ '.env': `KEY=${secret}\n` });
    const { warn: _, ...silent } = context;
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      await createEnvfileProvider({ path: '.env' }, silent);
      expect(emit).toHaveBeenCalledWith(
        expect.stringContaining('inside the project'),
        'IronrunWarning',
      );
    } finally {
      emit.mockRestore();
    }
  });

  it('checks every reference before touching the file', async () => {
    const { context } = await setup();
    const readFile = vi.fn<EnvfileIo['readFile']>(async () => `KEY=${secret}\n`);
    const provider = await createEnvfileProvider({}, context, {
      readFile,
      stat: async () => ({ mode: 0o600 }),
    });
    const error = await failure(
      provider.resolve(['envfile://KEY', 'envfile://../x'], { signal: signal() }),
    );
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.message).toContain('envfile://../x');
    expect(readFile).not.toHaveBeenCalled();
  });

  it('turns a permission error into CONFIG with the chmod fix, and keeps the cause', async () => {
    const { context } = await setup();
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const provider = await createEnvfileProvider({}, context, {
      readFile: async () => {
        throw denied;
      },
      stat: async () => ({ mode: 0o600 }),
    });
    const error = await failure(provider.resolve(['envfile://KEY'], { signal: signal() }));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('chmod 600');
    expect(error.cause).toBe(denied);
  });

  it('reports a directory given as the path', async () => {
    const { context, config } = await setup();
    const provider = await createEnvfileProvider({ path: config.dir }, context);
    const error = await failure(provider.resolve(['envfile://KEY'], { signal: signal() }));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('is a directory');
  });

  it('gives a reason naming the variable and file, never a value, for a missing name', async () => {
    const { context, config } = await setup();
    const provider = await createEnvfileProvider({}, context);
    const [result] = (await provider.resolve(['envfile://OTHER'], { signal: signal() })) as [
      ResolveResult,
    ];
    expect(result).toEqual({
      ref: 'envfile://OTHER',
      found: false,
      reason: `OTHER is not set in ${config.path('secrets.env')}`,
    });
  });

  it('resolves an empty value as found', async () => {
    const { context, config } = await setup();
    await writeFile(config.path('secrets.env'), 'EMPTY=\n');
    const provider = await createEnvfileProvider({}, context);
    expect(await provider.resolve(['envfile://EMPTY'], { signal: signal() })).toEqual([
      { ref: 'envfile://EMPTY', found: true, value: '' },
    ]);
  });
});
