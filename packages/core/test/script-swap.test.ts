import { existsSync } from 'node:fs';
import { probeIsolation } from '@ironrun/sandbox';
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
 * The attack (time of check to time of use): the agent swaps a pinned script
 * for its own while ironrun runs it, over and over, hoping to land between
 * the trust check (which hashes the trusted bytes) and the exec. Done two
 * ways: a rename of another file over the script (a new inode), and a
 * rewrite in place (the same inode, same length). Run through the whole
 * runSealed, for `./pinned.sh` (the kernel reads the `#!` line) and for
 * `sh ./pinned.sh` (the shell opens the script). A run may be refused
 * (TRUST_CHANGED: the swapped bytes were there when checked); it may never
 * run the swapped script. IRONRUN_SWAP_RUNS raises the runs per case.
 */
const runsPerCase = Number(process.env.IRONRUN_SWAP_RUNS ?? 100);
const secret = 'swap-race-secret-value-7f3a91';

/** Both scripts have the same length, so a rewrite in place never leaves a torn tail. */
const width = 48;
const trustedScript = `#!/bin/sh\n${'echo trusted'.padEnd(width)}\n`;
const swappedScript = `#!/bin/sh\n${'touch swapped.marker; echo SWAPPED'.padEnd(width)}\n`;

const policy = `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: direct
    argv: [./pinned.sh]
    env:
      TOKEN: envfile://TOKEN
  - id: shell
    argv: [sh, ./pinned.sh]
    env:
      TOKEN: envfile://TOKEN
`;

/**
 * The swapper, a process of its own as the agent would run it: swaps as fast
 * as it can until stdin closes, then prints how many swaps it made.
 */
const swapperSource = `
const fs = require('node:fs');
const [mode, dir, trusted, swapped] = process.argv.slice(1);
const target = dir + '/pinned.sh';
let swaps = 0;
let running = true;
process.stdin.on('end', () => { running = false; });
process.stdin.resume();
function step() {
  for (let i = 0; i < 50 && running; i++) {
    const text = swaps % 2 === 0 ? swapped : trusted;
    // In place: the same inode, opened, overwritten from the start and closed each time.
    if (mode === 'rewrite') {
      // The kernel refuses to open a file for writing while it is executed
      // (ETXTBSY): the attacker just tries again.
      try {
        fs.writeFileSync(target, text, { flag: 'r+' });
      } catch (error) {
        if (error.code !== 'ETXTBSY') throw error;
        continue;
      }
    }
    else {
      fs.writeFileSync(target + '.next', text, { mode: 0o755 });
      fs.renameSync(target + '.next', target);
    }
    swaps++;
  }
  if (running) setImmediate(step);
  else {
    if (mode === 'rename') fs.writeFileSync(target + '.next', trusted, { mode: 0o755 }), fs.renameSync(target + '.next', target);
    else
      for (;;) {
        try {
          fs.writeFileSync(target, trusted, { flag: 'r+' });
          break;
        } catch (error) {
          if (error.code !== 'ETXTBSY') throw error;
        }
      }
    process.stdout.write(String(swaps));
  }
}
step();
`;

interface Counts {
  trusted: number;
  refused: number;
  swapped: number;
  other: string[];
  swaps: number;
}

// What runs is what was verified only where the native init runs the verified copy.
const isolation = await probeIsolation();
const skip =
  !isolation.pidNamespace || isolation.nativeInit == null
    ? 'needs Linux user and PID namespaces and the native init (the Node init runs scripts by path)'
    : undefined;
if (skip !== undefined) console.log(`script-swap: skipped: ${skip}`);

let sealed: SealedProject;
beforeAll(async () => {
  sealed = await sealedProject({
    policy,
    files: { 'pinned.sh': { content: trustedScript, mode: 0o755 } },
    secrets: { TOKEN: secret },
  });
});
afterAll(() => sealed.cleanup());

async function race(mode: 'rename' | 'rewrite', commandId: 'direct' | 'shell'): Promise<Counts> {
  const counts: Counts = { trusted: 0, refused: 0, swapped: 0, other: [], swaps: 0 };
  const swapper = startSwapper(swapperSource, [
    mode,
    sealed.project.dir,
    trustedScript,
    swappedScript,
  ]);
  try {
    for (let run = 0; run < runsPerCase; run++) {
      try {
        const result = await runSealed({
          policy: sealed.policyPath,
          commandId,
          providers: builtinProviders,
          configDir: sealed.configDir,
        });
        if (result.stdout.includes('SWAPPED')) counts.swapped++;
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
  const label = `${mode} ${commandId === 'direct' ? './pinned.sh' : 'sh ./pinned.sh'}`;
  console.log(
    `script-swap: ${label}: ${runsPerCase} runs, ${counts.trusted} ran the trusted script, ${counts.refused} refused, ${counts.swapped} ran the swapped script, ${counts.other.length} other${counts.other.length === 0 ? '' : ` (first: ${counts.other[0]})`}; ${counts.swaps} swaps`,
  );
  return counts;
}

describe.skipIf(skip !== undefined)('runSealed: a pinned script swapped while it runs', () => {
  for (const mode of ['rename', 'rewrite'] as const) {
    for (const commandId of ['direct', 'shell'] as const) {
      it(`never runs the swapped script (${mode}, ${commandId === 'direct' ? './pinned.sh' : 'sh ./pinned.sh'})`, async () => {
        const counts = await race(mode, commandId);
        expect(counts.swapped, 'the swapped script ran').toBe(0);
        expect(existsSync(sealed.project.path('swapped.marker')), 'swapped.marker').toBe(false);
        expect(counts.other).toEqual([]);
        // The race was real: the swapper ran and some runs saw the trusted bytes.
        expect(counts.swaps).toBeGreaterThan(0);
        expect(counts.trusted).toBeGreaterThan(0);
      }, 300_000);
    }
  }
});
