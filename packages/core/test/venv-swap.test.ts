import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { trust } from '@ironrun/policy';
import { probeIsolation } from '@ironrun/sandbox';
import { builtinProviderReferences } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIronrunError, runSealed } from '../src/index.js';
import {
  builtinProviders,
  errorText,
  type SealedProject,
  sealedProject,
  startSwapper,
} from './sealed-project.js';

/**
 * The attack (time of check to time of use) on a project venv: the agent
 * retargets `.venv/bin/python3`, which trust pinned as a link to the system
 * python, to a program of its own and back, as fast as it can, hoping to land
 * between the trust check and the exec. Debian's python is larger than the
 * 4 MiB that is hashed and copied, so only the recorded real program stops
 * it: the sandbox refuses a link that now leads elsewhere and runs the real
 * file by its path. A run may be refused (TRUST_CHANGED); it may never run
 * the planted program. IRONRUN_SWAP_RUNS raises the runs.
 */
const runs = Number(process.env.IRONRUN_SWAP_RUNS ?? 100);
const secret = 'venv-swap-secret-value-5c81d2';
const python = '/usr/bin/python3';

const policy = `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: venv
    argv: [.venv/bin/python3, -c, "print('trusted')"]
    env:
      TOKEN: envfile://TOKEN
`;

const swapperSource = `
const fs = require('node:fs');
const [dir, trusted] = process.argv.slice(1);
const target = dir + '/.venv/bin/python3';
let swaps = 0;
let running = true;
process.stdin.on('end', () => { running = false; });
process.stdin.resume();
function place(to) {
  fs.rmSync(target + '.next', { force: true });
  fs.symlinkSync(to, target + '.next');
  fs.renameSync(target + '.next', target);
}
function step() {
  for (let i = 0; i < 50 && running; i++) {
    place(swaps % 2 === 0 ? '../../planted' : trusted);
    swaps++;
  }
  if (running) setImmediate(step);
  else {
    place(trusted);
    process.stdout.write(String(swaps));
  }
}
step();
`;

const isolation = await probeIsolation();
const venvProbe = spawnSync(python, ['-c', 'import venv'], { encoding: 'utf8' });
const skip =
  !isolation.pidNamespace || isolation.nativeInit == null
    ? 'needs Linux user and PID namespaces and the native init'
    : venvProbe.status !== 0
      ? `${python} has no venv module (apt-get install python3-venv)`
      : undefined;
if (skip !== undefined) console.log(`venv-swap: skipped: ${skip}`);

let sealed: SealedProject;
beforeAll(async () => {
  if (skip !== undefined) return;
  sealed = await sealedProject({
    policy,
    files: {
      planted: {
        content: `#!/bin/sh\ntouch "$(dirname "$0")/planted.marker"; echo PLANTED\n`,
        mode: 0o755,
      },
    },
    secrets: { TOKEN: secret },
    trusted: false,
  });
  const made = spawnSync(python, ['-m', 'venv', '--without-pip', sealed.project.path('.venv')], {
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  await trust(sealed.policyPath, {
    configDir: sealed.configDir,
    providers: builtinProviderReferences,
    schemes: [],
  });
});
afterAll(() => sealed?.cleanup());

describe.skipIf(skip !== undefined)(
  'runSealed: a project venv’s python link swapped while it runs',
  () => {
    it('never runs the program the link is retargeted to', async () => {
      const counts = { trusted: 0, refused: 0, planted: 0, other: [] as string[], swaps: 0 };
      const swapper = startSwapper(swapperSource, [sealed.project.dir, python]);
      try {
        for (let run = 0; run < runs; run++) {
          try {
            const result = await runSealed({
              policy: sealed.policyPath,
              commandId: 'venv',
              providers: builtinProviders,
              configDir: sealed.configDir,
            });
            if (result.stdout.includes('PLANTED')) counts.planted++;
            else if (result.stdout === 'trusted\n' && result.exitCode === 0) counts.trusted++;
            else counts.other.push(`exit ${result.exitCode}: ${result.stdout}${result.stderr}`);
          } catch (error) {
            const text = errorText(error);
            expect(text).not.toContain(secret);
            if (isIronrunError(error) && error.code === 'TRUST_CHANGED') counts.refused++;
            else counts.other.push(text.split('\n')[0] ?? '');
          }
        }
      } finally {
        counts.swaps = await swapper.stop();
      }
      console.log(
        `venv-swap: ${runs} runs, ${counts.trusted} ran the trusted python, ${counts.refused} refused, ${counts.planted} ran the planted program, ${counts.other.length} other${counts.other.length === 0 ? '' : ` (first: ${counts.other[0]})`}; ${counts.swaps} swaps`,
      );
      expect(counts.planted, 'the planted program ran').toBe(0);
      expect(existsSync(sealed.project.path('planted.marker')), 'planted.marker').toBe(false);
      expect(counts.other).toEqual([]);
      // The race was real: the swapper ran and some runs got the trusted python.
      expect(counts.swaps).toBeGreaterThan(0);
      expect(counts.trusted).toBeGreaterThan(0);
    }, 300_000);
  },
);
