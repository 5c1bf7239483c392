import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSandboxError, probeIsolation, spawnSealed } from '../src/index.js';
import { spawnSealedWith } from '../src/spawn-sealed.js';
import { fixture, fixturesDir, nodeFixture, sealedRun } from './sealed-run.js';

const linux = process.platform === 'linux';
const isolation = await probeIsolation();

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ironrun-sandbox-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `body` with `process.env` changed as given, restoring it afterwards. */
async function withParentEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('spawnSealed: no shell', () => {
  const hostile = [
    '$(touch pwned-subst)',
    '`touch pwned-tick`',
    '; touch pwned-semi',
    '| tee pwned-pipe',
    '*',
    '~',
    '$HOME',
    '&& echo x',
    "'q'",
    '"dq"',
    'a b',
    '\\n',
    '>pwned-redirect',
  ];

  it('shell injection: metacharacters, globs and ~ reach the program as literal bytes', async () => {
    const run = await sealedRun({ argv: nodeFixture('print-argv.mjs', ...hostile), cwd: scratch });
    expect(JSON.parse(run.stdout).args).toEqual(hostile);
    expect((await readdir(scratch)).filter((name) => name.startsWith('pwned'))).toEqual([]);
  });

  it('shell injection: any argv without NUL bytes arrives byte for byte (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
          { maxLength: 6 },
        ),
        async (args) => {
          const run = await sealedRun({ argv: nodeFixture('print-argv.mjs', ...args) });
          // Node decodes argv as UTF-8: compare with what a lone surrogate becomes on the way.
          const expected = args.map((arg) => Buffer.from(arg, 'utf8').toString('utf8'));
          expect(JSON.parse(run.stdout).args).toEqual(expected);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('spawnSealed: argv[0] resolution', () => {
  afterEach(async () => {
    await rm(join(scratch, 'marker-fake-ran'), { force: true });
  });

  it("PATH hijack: a fake binary earlier on the caller's PATH is never run", async () => {
    const bin = join(scratch, 'evil-bin');
    await mkdir(bin, { recursive: true });
    const marker = join(scratch, 'marker-fake-ran');
    await writeFile(join(bin, 'echo'), `#!/bin/sh\ntouch ${marker}\necho hijacked\n`, {
      mode: 0o755,
    });
    const run = await withParentEnv({ PATH: `${bin}:${process.env.PATH ?? ''}` }, () =>
      sealedRun({ argv: ['echo', 'genuine'] }),
    );
    expect(run.stdout).toBe('genuine\n');
    await expect(stat(marker)).rejects.toThrow();
  });

  it("PATH hijack: a bare name found only on the caller's PATH is refused with NOT_FOUND", async () => {
    const bin = join(scratch, 'agent-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'ironrun-agent-tool'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    const error = await withParentEnv({ PATH: `${bin}:${process.env.PATH ?? ''}` }, () =>
      rejection(spawnSealed({ argv: ['ironrun-agent-tool'], cwd: scratch, ttlMs: 5000 })),
    );
    expect(isSandboxError(error) && error.code).toBe('NOT_FOUND');
    expect((error as Error).message).toContain('ironrun-agent-tool');
    expect((error as Error).message).toContain('path');
  });

  it('looks a bare name up in the path option only', async () => {
    const bin = join(scratch, 'policy-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'ironrun-policy-tool'), '#!/bin/sh\necho policy tool\n', {
      mode: 0o755,
    });
    const run = await sealedRun({ argv: ['ironrun-policy-tool'], path: `${bin}:/usr/bin:/bin` });
    expect(run.stdout).toBe('policy tool\n');
  });

  it('resolves ./x against cwd, follows symlinks once and runs the real path', async () => {
    await symlink(fixture('print-argv.mjs'), join(scratch, 'linked-print-argv'));
    const run = await sealedRun({ argv: ['./linked-print-argv', 'ok'], cwd: scratch });
    expect(JSON.parse(run.stdout)).toEqual({ script: fixture('print-argv.mjs'), args: ['ok'] });
  });

  it('resolves x/y against cwd', async () => {
    const run = await sealedRun({
      argv: ['fixtures/print-argv.mjs', 'nested'],
      cwd: join(fixturesDir, '..'),
    });
    expect(JSON.parse(run.stdout).args).toEqual(['nested']);
  });

  it('refuses a missing program with NOT_FOUND naming it', async () => {
    const error = await rejection(
      spawnSealed({ argv: ['./no-such-program'], cwd: scratch, ttlMs: 5000 }),
    );
    expect(isSandboxError(error) && error.code).toBe('NOT_FOUND');
    expect((error as Error).message).toContain('./no-such-program');
  });

  it('refuses a file without the execute bit with NOT_EXECUTABLE', async () => {
    await writeFile(join(scratch, 'not-executable.sh'), '#!/bin/sh\necho ran\n', { mode: 0o644 });
    const error = await rejection(
      spawnSealed({ argv: ['./not-executable.sh'], cwd: scratch, ttlMs: 5000 }),
    );
    expect(isSandboxError(error) && error.code).toBe('NOT_EXECUTABLE');
    expect((error as Error).message).toContain('chmod +x');
  });

  it('refuses a directory with NOT_EXECUTABLE', async () => {
    const error = await rejection(
      spawnSealed({ argv: ['./fixtures'], cwd: join(fixturesDir, '..'), ttlMs: 5000 }),
    );
    expect(isSandboxError(error) && error.code).toBe('NOT_EXECUTABLE');
  });
});

describe('spawnSealed: clean environment', () => {
  const canaries = {
    LD_PRELOAD: 'libironrun-canary.so',
    LD_LIBRARY_PATH: '/ironrun-canary',
    NODE_OPTIONS: '--require /ironrun-canary-does-not-exist.js',
    BASH_ENV: '/ironrun-canary-bash-env',
    DYLD_INSERT_LIBRARIES: '/ironrun-canary.dylib',
    IRONRUN_AGENT_TOKEN: 'agent-token-canary-7f3a',
  };

  it("environment leak: LD_PRELOAD, NODE_OPTIONS, BASH_ENV, DYLD_* and the agent's own variables never reach the child", async () => {
    const run = await withParentEnv(
      { ...canaries, HOME: '/ironrun-fake-home', TMPDIR: '/ironrun-fake-tmp' },
      () => sealedRun({ argv: nodeFixture('print-env.mjs'), env: { GREETING: 'hello' } }),
    );
    expect(run.result.exitCode).toBe(0);
    const env = JSON.parse(run.stdout) as Record<string, string>;
    expect(env).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: userInfo().homedir,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      TMPDIR: env.TMPDIR,
      GREETING: 'hello',
    });
    // A private temporary directory under /tmp, never the caller's TMPDIR.
    if (linux) expect(env.TMPDIR).toMatch(/^\/tmp\/ironrun-tmp-/);
    for (const value of Object.values(canaries))
      expect(run.stdout + run.stderr).not.toContain(value);
  });

  it('environment leak: a shell child reads no BASH_ENV or ENV startup file', async () => {
    const marker = join(scratch, 'bash-env-ran');
    const startup = join(scratch, 'startup.sh');
    await writeFile(startup, `touch ${marker}\n`);
    const run = await withParentEnv({ BASH_ENV: startup, ENV: startup }, () =>
      sealedRun({ argv: ['sh', '-c', 'echo done'] }),
    );
    expect(run.stdout).toBe('done\n');
    await expect(stat(marker)).rejects.toThrow();
  });

  it('lets the caller override the baseline LANG, HOME and TMPDIR', async () => {
    const run = await sealedRun({
      argv: nodeFixture('print-env.mjs'),
      env: { LANG: 'en_GB.UTF-8', HOME: '/srv', TMPDIR: '/var/tmp' },
    });
    expect(JSON.parse(run.stdout)).toMatchObject({
      LANG: 'en_GB.UTF-8',
      HOME: '/srv',
      TMPDIR: '/var/tmp',
    });
  });

  it.each([
    'LD_PRELOAD',
    'LD_AUDIT',
    'DYLD_INSERT_LIBRARIES',
    'NODE_OPTIONS',
    'BASH_ENV',
    'ENV',
    'PATH',
    'BASH_FUNC_ls%%',
  ])(
    'loader injection: refuses %s in env with INVALID_OPTIONS, without echoing its value',
    async (name) => {
      const error = await rejection(
        spawnSealed({
          argv: nodeFixture('print-env.mjs'),
          env: { [name]: 'secret-value-1234' },
          cwd: scratch,
          ttlMs: 5000,
        }),
      );
      expect(isSandboxError(error) && error.code).toBe('INVALID_OPTIONS');
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).not.toContain('secret-value-1234');
    },
  );

  it('refuses an env value with a NUL byte without echoing it', async () => {
    const error = await rejection(
      spawnSealed({
        argv: nodeFixture('print-env.mjs'),
        env: { TOKEN: 'super\0secret-5678' },
        cwd: scratch,
        ttlMs: 5000,
      }),
    );
    expect(isSandboxError(error) && error.code).toBe('INVALID_OPTIONS');
    expect((error as Error).message).not.toContain('secret-5678');
  });

  it('refuses an argument with a NUL byte without echoing it', async () => {
    const error = await rejection(
      spawnSealed({
        argv: nodeFixture('print-argv.mjs', 'fine', 'pass\0word-9012'),
        cwd: scratch,
        ttlMs: 5000,
      }),
    );
    expect(isSandboxError(error) && error.code).toBe('INVALID_OPTIONS');
    expect((error as Error).message).toContain('argv[3]');
    expect((error as Error).message).not.toContain('word-9012');
  });
});

describe('spawnSealed: stdin', () => {
  it("stdin attack: the child reads /dev/null, never the caller's stdin", async () => {
    const run = await sealedRun({ argv: nodeFixture('read-stdin.mjs') });
    expect(JSON.parse(run.stdout)).toEqual({ target: '/dev/null', bytes: 0 });
  });
});

describe('spawnSealed: descriptors', () => {
  it.skipIf(!linux || !isolation.pidNamespace)(
    'descriptor leak: the child gets only stdin, stdout and stderr',
    async () => {
      const run = await sealedRun({ argv: ['/bin/ls', '/proc/self/fd'] });
      // ls itself holds one more descriptor: the directory it lists.
      expect(run.stdout.trim().split('\n').map(Number).sort()).toEqual([0, 1, 2, 3]);
    },
  );
});

describe('spawnSealed: exit codes and signals', () => {
  it('reports exit code 3', async () => {
    const { result } = await sealedRun({ argv: nodeFixture('exit-with.mjs', '3') });
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, canceled: false });
  });

  it.each(['SIGSEGV', 'SIGKILL', 'SIGTERM', 'SIGABRT'])(
    'reports a child killed by %s',
    async (signal) => {
      const { result } = await sealedRun({ argv: nodeFixture('exit-with.mjs', signal) });
      expect(result).toMatchObject({ exitCode: null, signal, timedOut: false });
    },
  );

  it.skipIf(!linux || !isolation.pidNamespace)(
    'reports exit code 3 without the namespace init (internal launch)',
    async () => {
      const child = await spawnSealedWith(
        {
          argv: nodeFixture('exit-with.mjs', '3'),
          cwd: scratch,
          ttlMs: 10_000,
          isolation: 'best-effort',
        },
        { useInit: false },
      );
      expect(await child.result).toMatchObject({ exitCode: 3, signal: null });
    },
  );

  it('reports the group leader pid, which is gone once the result is in', async () => {
    const child = await spawnSealed({
      argv: nodeFixture('exit-with.mjs', '0'),
      cwd: scratch,
      ttlMs: 10_000,
    });
    const result = await child.result;
    expect(result.pid).toBe(child.pid);
    expect(() => process.kill(child.pid, 0)).toThrow();
  });
});

describe('spawnSealed: output cap', () => {
  it('output flood: keeps maxOutputBytes per stream, counts the rest, and memory stays flat', async () => {
    const flood = 200 * 1024 * 1024;
    const cap = 1024 * 1024;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const run = await sealedRun({
      argv: nodeFixture('flood.mjs', String(flood), 'both'),
      maxOutputBytes: cap,
    });
    clearInterval(sampler);
    expect(run.result).toMatchObject({
      exitCode: 0,
      truncated: true,
      stdoutBytes: flood,
      stderrBytes: flood,
    });
    expect(run.stdout.length).toBe(cap);
    expect(run.stderr.length).toBe(cap);
    // Keeping the flood would take 400 MiB; draining it costs a few pipe buffers.
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('never blocks a child whose output nobody reads', async () => {
    const child = await spawnSealed({
      argv: nodeFixture('flood.mjs', String(32 * 1024 * 1024)),
      cwd: scratch,
      ttlMs: 60_000,
      maxOutputBytes: 1024,
    });
    const result = await child.result;
    expect(result).toMatchObject({
      exitCode: 0,
      timedOut: false,
      truncated: true,
      stdoutBytes: 32 * 1024 * 1024,
    });
  });

  it('keeps everything and reports no truncation under the cap', async () => {
    const run = await sealedRun({ argv: nodeFixture('flood.mjs', '5000'), maxOutputBytes: 5000 });
    expect(run.result).toMatchObject({ truncated: false, stdoutBytes: 5000 });
    expect(run.stdout).toBe('a'.repeat(5000));
  });
});

describe('spawnSealed: TTL and cancel', () => {
  it('TTL: sends SIGTERM and reports timedOut', async () => {
    const { result } = await sealedRun({
      argv: nodeFixture('sleep-forever.mjs'),
      ttlMs: 300,
      killGraceMs: 5000,
    });
    expect(result).toMatchObject({
      exitCode: null,
      signal: 'SIGTERM',
      timedOut: true,
      canceled: false,
    });
  });

  it('TTL: a child that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const { result } = await sealedRun({
      argv: nodeFixture('sleep-forever.mjs', 'ignore-term'),
      // Long enough for Node to install the fixture's SIGTERM handler on a loaded machine.
      ttlMs: 2000,
      killGraceMs: 300,
    });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
  });

  it.skipIf(!linux || !isolation.pidNamespace)(
    'TTL escape: a grandchild that nohups, setsid()s, double-forks and ignores SIGTERM is gone after the TTL',
    async () => {
      const marker = `ironrun-escape-marker-${process.pid}-${Date.now()}`;
      const child = await spawnSealed({
        argv: nodeFixture('detach-grandchild.mjs', marker),
        cwd: scratch,
        ttlMs: 60_000,
        killGraceMs: 300,
      });
      // Wait until the grandchild is running, so the test proves it was killed rather than never started.
      let seen = '';
      for await (const chunk of child.stdout) {
        seen += String(chunk);
        if (seen.includes('detached')) break;
      }
      expect(await processesWithMarker(marker)).not.toEqual([]);
      child.kill();
      const result = await child.result;
      expect(result.canceled).toBe(true);
      expect(await processesWithMarker(marker)).toEqual([]);
    },
  );

  it.skipIf(!linux || !isolation.pidNamespace)(
    'TTL escape: nothing the child left behind outlives a normal exit',
    async () => {
      const marker = `ironrun-leftover-marker-${process.pid}-${Date.now()}`;
      const program = `
      const { spawn } = require('node:child_process');
      const c = spawn('/usr/bin/setsid', [process.execPath, '-e', 'setInterval(() => {}, 1000)', ${JSON.stringify(marker)}], { detached: true, stdio: 'ignore' });
      c.on('spawn', () => setTimeout(() => { process.stdout.write('bye'); process.exit(0); }, 200));`;
      const run = await sealedRun({
        argv: [process.execPath, '-e', program],
        allow: ['/usr/bin/setsid'],
      });
      expect(run.stdout).toBe('bye');
      expect(await processesWithMarker(marker)).toEqual([]);
    },
  );

  it('cancel: an AbortSignal stops the tree and reports canceled', async () => {
    const controller = new AbortController();
    const child = await spawnSealed({
      argv: nodeFixture('sleep-forever.mjs'),
      cwd: scratch,
      ttlMs: 60_000,
      signal: controller.signal,
    });
    for await (const chunk of child.stdout) if (String(chunk).includes('ready')) break;
    controller.abort();
    expect(await child.result).toMatchObject({
      signal: 'SIGTERM',
      canceled: true,
      timedOut: false,
    });
  });

  it('cancel: refuses to start with an already aborted signal', async () => {
    const error = await rejection(
      spawnSealed({
        argv: nodeFixture('sleep-forever.mjs'),
        cwd: scratch,
        ttlMs: 60_000,
        signal: AbortSignal.abort(),
      }),
    );
    expect(isSandboxError(error) && error.code).toBe('SPAWN_FAILED');
  });
});

describe('spawnSealed: options', () => {
  it.each([
    ['an empty argv', { argv: [] }],
    ['a relative cwd', { cwd: 'fixtures' }],
    ['a zero ttlMs', { ttlMs: 0 }],
    ['a fractional ttlMs', { ttlMs: 1.5 }],
    ['a negative killGraceMs', { killGraceMs: -1 }],
    ['a negative maxOutputBytes', { maxOutputBytes: -1 }],
    ['a relative path entry', { path: 'bin:/usr/bin' }],
    ['an empty path entry', { path: ':/usr/bin' }],
    ['a relative allow entry', { allow: ['bin/tool'] }],
    [
      'a non-boolean noNetwork, which must not run with the network on',
      { noNetwork: 'yes' as unknown as boolean },
    ],
    ['an env given as an array', { env: ['A=B'] as unknown as Record<string, string> }],
  ])('refuses %s with INVALID_OPTIONS', async (_, override) => {
    const error = await rejection(
      spawnSealed({ argv: ['echo', 'x'], cwd: scratch, ttlMs: 5000, ...override }),
    );
    expect(isSandboxError(error) && error.code).toBe('INVALID_OPTIONS');
  });

  it('refuses a cwd that does not exist with INVALID_OPTIONS', async () => {
    const error = await rejection(
      spawnSealed({ argv: ['echo', 'x'], cwd: join(scratch, 'missing'), ttlMs: 5000 }),
    );
    expect(isSandboxError(error) && error.code).toBe('INVALID_OPTIONS');
  });

  it('accepts allow entries that exist here and ones that do not', async () => {
    const run = await sealedRun({
      argv: ['echo', 'x'],
      allow: ['/bin/sh', 'git', 'ironrun-not-installed-tool'],
    });
    expect(run.stdout).toBe('x\n');
  });
});

async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
