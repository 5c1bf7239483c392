import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSandboxError, probeIsolation } from '../src/index.js';
import { nativeInitPath } from '../src/native-init.js';
import { type LaunchOverrides, spawnSealedWith } from '../src/spawn-sealed.js';
import { fixture, fixturesDir } from './sealed-run.js';

const isolation = await probeIsolation();
const perl = '/usr/bin/perl';
const canForge = process.platform === 'linux' && isolation.pidNamespace && existsSync(perl);
if (!canForge)
  console.log('sealed-zone: skipped: needs Linux with a PID namespace and /usr/bin/perl');

const secret = 'sk_live_forged_0123456789abcdef';

/**
 * Runs the forger with `line` and returns how the run ended: the result, or
 * the error (of the start when the forged line beat the init's own start
 * report, else of `result`).
 */
async function forge(
  line: string,
  overrides: LaunchOverrides = { nativeInit: null },
): Promise<{ exitCode?: unknown; stdout?: string; error?: unknown }> {
  try {
    const child = await spawnSealedWith(
      {
        argv: [perl, fixture('forge-report.pl'), line],
        cwd: fixturesDir,
        env: { TOKEN: secret },
        ttlMs: 20_000,
        // The Node init applies no Landlock, so strict would refuse to run it at all.
        ...(overrides.nativeInit === null ? { isolation: 'best-effort' as const } : {}),
      },
      overrides,
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.resume();
    return { exitCode: (await child.result).exitCode, stdout };
  } catch (error) {
    return { error };
  }
}

function expectDistrusted(outcome: { exitCode?: unknown; error?: unknown }): void {
  expect(outcome.exitCode, 'a forged report came back as the result').toBeUndefined();
  expect(isSandboxError(outcome.error) && outcome.error.code).toBe('REPORT_INVALID');
  const error = outcome.error as Error;
  expect(`${error.message}\n${error.stack}\n${JSON.stringify(error)}`).not.toContain(secret);
  expect(error.message).not.toContain('sk_live');
}

describe.skipIf(!canForge)(
  'spawnSealed: the init report is untrusted (the Node init, whose channel a program can steal)',
  () => {
    it("forged report: the secret as exit code and signal on the init's channel fails the run", async () => {
      expectDistrusted(await forge(`{"type":"exit","code":"${secret}","signal":"${secret}"}`));
    });

    it('forged report: "exited 0" from a program that exits 3 fails the run', async () => {
      expectDistrusted(await forge('{"type":"exit","code":0,"signal":null}'));
    });

    it('forged report: a bare secret line fails the run without crashing the caller', async () => {
      expectDistrusted(await forge(secret));
    });

    it('a valid-looking forged start report fails the run too', async () => {
      expectDistrusted(await forge('{"type":"started"}'));
    });
  },
);

const native = nativeInitPath();
if (native === null)
  console.log('sealed-zone: native init tests skipped: @ironrun/sandbox-linux-<arch> is not built');

describe.skipIf(!canForge || native === null)(
  'spawnSealed: the native init is out of reach',
  () => {
    it("forged report: a program cannot take the native init's channel at all", async () => {
      const outcome = await forge(`{"type":"exit","code":"${secret}","signal":null}`, {});
      expect(outcome.error).toBeUndefined();
      expect(outcome.stdout).toBe('no channel to steal\n');
      expect(outcome.exitCode).toBe(3);
    });
  },
);
