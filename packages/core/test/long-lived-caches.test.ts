import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { builtinProviderReferences } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { isIronrunError, type RunResult, runSealed } from '../src/index.js';
import {
  builtinProviders,
  errorText,
  type SealedProject,
  sealedProject,
} from './sealed-project.js';

// A long-lived process (the MCP server, the `ironrun agent` broker) runs many
// commands of the same policy, and keeps what it learned between calls: the
// parsed policy by its bytes' hash, and each pinned file's hash by its
// device, inode, size, modification and change time. The attacker is the
// agent, which can change any file of the project between two calls, and set
// a file's modification time back with utimes. Each test makes a first call
// (so the caches are filled), changes something, and calls again.

const secret = 'long-lived-cache-secret-value-0917';
/** A whole second, as utimes sets it: the modification time is then exact to the nanosecond. */
const fixedTime = 1_700_000_000;

let current: SealedProject | undefined;
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

/** Waits until `path` last changed more than the cache's settle time ago, so its hash is kept. */
async function settled(...paths: string[]): Promise<void> {
  for (;;) {
    const newest = Math.max(...paths.map((path) => statSync(path).ctimeMs));
    const wait = newest + 1200 - Date.now();
    if (wait <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function run(sealed: SealedProject, commandId: string): Promise<RunResult> {
  return runSealed({
    policy: sealed.policyPath,
    commandId,
    configDir: sealed.configDir,
    providers: builtinProviders,
  });
}

/** The error a call must fail with: TRUST_CHANGED, with no secret value anywhere in it. */
async function refused(call: Promise<RunResult>): Promise<void> {
  const error = await call.then(
    (result) => new Error(`it ran: ${JSON.stringify(result.stdout)}`),
    (thrown: unknown) => thrown,
  );
  expect(isIronrunError(error) ? error.code : errorText(error)).toBe('TRUST_CHANGED');
  expect(errorText(error)).not.toContain(secret);
}

/** A trusted project whose `show` command prints the pinned file lib.txt (not an argument: loaded later). */
async function pinnedLibProject(): Promise<SealedProject> {
  current = await sealedProject({
    policy: `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: show
    argv: [/bin/sh, -c, 'cat lib.txt; test -n "$TOKEN"']
    env: { TOKEN: "envfile://TOKEN" }
    pin: [lib.txt]
`,
    files: { 'lib.txt': 'trusted-lib-AAAA\n', 'other.txt': 'planted-lib-BBBB\n' },
    secrets: { TOKEN: secret },
    trusted: false,
  });
  const lib = current.project.path('lib.txt');
  await utimes(lib, fixedTime, fixedTime);
  await utimes(current.project.path('other.txt'), fixedTime, fixedTime);
  await trust(current.policyPath, {
    configDir: current.configDir,
    providers: builtinProviderReferences,
  });
  await settled(lib, current.policyPath);
  // Twice: the first call hashes lib.txt and keeps the hash, the second uses it.
  for (let call = 0; call < 2; call++)
    expect((await run(current, 'show')).stdout).toBe('trusted-lib-AAAA\n');
  return current;
}

describe('runSealed in a long-lived process: pin hash cache (attacks)', () => {
  it('cache poisoning: a pinned file rewritten in place, keeping its size and modification time (utimes), is refused on the next call', async () => {
    const sealed = await pinnedLibProject();
    const lib = sealed.project.path('lib.txt');
    const before = await stat(lib, { bigint: true });
    await writeFile(lib, 'planted-lib-BBBB\n');
    await utimes(lib, fixedTime, fixedTime);
    const after = await stat(lib, { bigint: true });
    // The attack as meant: same file, size and modification time; only the change time moved.
    expect([after.dev, after.ino, after.size, after.mtimeNs]).toEqual([
      before.dev,
      before.ino,
      before.size,
      before.mtimeNs,
    ]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    await refused(run(sealed, 'show'));
  });

  it('cache poisoning: a pinned file swapped by rename for one of the same size and modification time is refused on the next call', async () => {
    const sealed = await pinnedLibProject();
    const lib = sealed.project.path('lib.txt');
    const before = await stat(lib, { bigint: true });
    await rename(sealed.project.path('other.txt'), lib);
    const after = await stat(lib, { bigint: true });
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    await refused(run(sealed, 'show'));
  });

  it('a pinned file changed and changed back is trusted again (the hash follows the content, not the first answer)', async () => {
    const sealed = await pinnedLibProject();
    const lib = sealed.project.path('lib.txt');
    await writeFile(lib, 'planted-lib-BBBB\n');
    await refused(run(sealed, 'show'));
    await writeFile(lib, 'trusted-lib-AAAA\n');
    expect((await run(sealed, 'show')).stdout).toBe('trusted-lib-AAAA\n');
  });
});

/** A trusted project whose `show` command prints `trusted`; its policy's mtime is a whole second. */
async function trustedPolicyProject(): Promise<SealedProject> {
  current = await sealedProject({
    policy: `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: show
    argv: [/bin/sh, -c, 'echo trusted; test -n "$TOKEN"']
    env: { TOKEN: "envfile://TOKEN" }
`,
    secrets: { TOKEN: secret },
    trusted: false,
  });
  await utimes(current.policyPath, fixedTime, fixedTime);
  await trust(current.policyPath, {
    configDir: current.configDir,
    providers: builtinProviderReferences,
  });
  for (let call = 0; call < 2; call++)
    expect((await run(current, 'show')).stdout).toBe('trusted\n');
  return current;
}

describe('runSealed in a long-lived process: parsed policy cache (attacks)', () => {
  it('a policy replaced behind the server between two calls (same size and modification time) is refused', async () => {
    const sealed = await trustedPolicyProject();
    const text = await readFile(sealed.policyPath, 'utf8');
    // The same length: `:>x.marker` for `echo trusted`, padded.
    const evil = text.replace("'echo trusted;", "':>x.marker;");
    expect(evil).not.toBe(text);
    const padded = evil.replace('commands:', `commands:${' '.repeat(text.length - evil.length)}`);
    expect(padded.length).toBe(text.length);
    const staged = join(sealed.project.path('.'), 'staged.yml');
    await writeFile(staged, padded);
    await utimes(staged, fixedTime, fixedTime);
    await rename(staged, sealed.policyPath);
    await refused(run(sealed, 'show'));
    expect(existsSync(sealed.project.path('x.marker')), 'the replaced policy ran').toBe(false);
  });

  it('the same policy bytes in two folders each run in their own folder', async () => {
    const sealed = await trustedPolicyProject();
    const text = (await readFile(sealed.policyPath, 'utf8')).replace("'echo trusted;", "'pwd;");
    const twin = sealed.project.path('twin');
    await mkdir(twin);
    for (const dir of [sealed.project.path('.'), twin]) {
      await writeFile(join(dir, 'ironrun.yml'), text);
      await trust(join(dir, 'ironrun.yml'), {
        configDir: sealed.configDir,
        providers: builtinProviderReferences,
      });
    }
    try {
      const first = await run(sealed, 'show');
      const second = await runSealed({
        policy: join(twin, 'ironrun.yml'),
        commandId: 'show',
        configDir: sealed.configDir,
        providers: builtinProviders,
      });
      expect(first.stdout.trim()).toBe(sealed.project.path('.').replace(/\/$/, ''));
      expect(second.stdout.trim()).toBe(twin);
    } finally {
      await rm(twin, { recursive: true, force: true });
    }
  });
});
