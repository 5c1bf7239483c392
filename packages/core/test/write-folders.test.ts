import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIronrunError, type RunResult, runSealed } from '../src/index.js';
import {
  builtinProviders,
  errorText,
  type SealedProject,
  sealedProject,
} from './sealed-project.js';

// The attacker is the code a trusted command runs (the agent's tests, a
// script the agent edits) and the agent itself, which can change anything in
// the project between a person's trust and a run. A command's write: folders
// must widen what it may write by exactly those folders: never to wherever a
// symlink put in their path leads.

const secret = 'write-folder-secret-value-0451';

let base: string;
let outside: string;
let current: SealedProject | undefined;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'ironrun-write-'));
  outside = join(base, 'outside');
  await mkdir(join(base, 'declared'), { recursive: true });
  await mkdir(join(outside, 'cache'), { recursive: true });
});
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
  await rm(base, { recursive: true, force: true });
});

/** A trusted project whose `w` command writes `stamp` into each folder it is given. */
async function writingProject(write: string, files: Record<string, string> = {}) {
  current = await sealedProject({
    policy: `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: w
    argv: [./w.sh]
    env: { TOKEN: "envfile://TOKEN" }
    write: ${write}
    args: { pattern: '/.*', max: 8 }
`,
    files: {
      'w.sh': {
        content:
          '#!/bin/sh\nfor d in "$@"; do if echo stamp > "$d/stamp" 2>/dev/null; then echo "$d ok"; else echo "$d refused"; fi; done\n',
        mode: 0o755,
      },
      ...files,
    },
    secrets: { TOKEN: secret },
  });
  return current;
}

function run(sealed: SealedProject, args: string[]): Promise<RunResult> {
  return runSealed({
    policy: sealed.policyPath,
    commandId: 'w',
    args,
    providers: builtinProviders,
    configDir: sealed.configDir,
  });
}

async function refusal(sealed: SealedProject, args: string[]): Promise<unknown> {
  return run(sealed, args).then(
    (result) => new Error(`the run was not refused: ${result.stdout}`),
    (error: unknown) => error,
  );
}

/** Whether a sealed run here is confined by Landlock at all (asked of a real run). */
async function landlockHere(): Promise<string | undefined> {
  const probe = await writingProject('[]');
  try {
    const result = await run(probe, []);
    return result.isolation?.landlock === true ? undefined : 'the run was not confined by Landlock';
  } catch (error) {
    return `a sealed run failed: ${(error as Error).message.slice(0, 160)}`;
  } finally {
    await probe.cleanup();
    current = undefined;
  }
}
base = await mkdtemp(join(tmpdir(), 'ironrun-write-probe-'));
const missing = await landlockHere();
await rm(base, { recursive: true, force: true });
if (missing !== undefined) console.log(`write: folders: skipped: ${missing}`);

describe.skipIf(missing !== undefined)('runSealed: write: folders (attacks)', () => {
  it('writes in the project and each write: folder, and nowhere else', async () => {
    const declared = join(base, 'declared');
    const sealed = await writingProject(`[${declared}, sub]`, { 'sub/.keep': '' });
    const project = sealed.project.dir;
    const result = await run(sealed, [project, declared, join(project, 'sub'), outside, base]);
    expect(result.stdout).toBe(
      [
        `${project} ok`,
        `${declared} ok`,
        `${join(project, 'sub')} ok`,
        `${outside} refused`,
        `${base} refused`,
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(declared, 'stamp'), 'utf8')).toBe('stamp\n');
    expect(readdirSync(outside)).toEqual(['cache']);
    expect(existsSync(join(base, 'stamp'))).toBe(false);
  });

  it('refuses a run after the declared folder is swapped for a symlink to another folder', async () => {
    const declared = join(base, 'declared');
    const sealed = await writingProject(`[${declared}]`);
    await rm(declared, { recursive: true });
    await symlink(join(outside, 'cache'), declared);
    const error = await refusal(sealed, [declared]);
    expect(readdirSync(join(outside, 'cache')), 'written where the link leads').toEqual([]);
    expect(isIronrunError(error) && error.code).toBe('TRUST_CHANGED');
    expect(errorText(error)).not.toContain(secret);
  });

  it('refuses a run after a parent of an in-project write: folder is swapped for a symlink leading out', async () => {
    // The agent can edit the project: it moves build/ away and puts a link
    // there to a folder outside that holds a `cache` of its own. The pinned
    // folder itself (build/cache) still looks like a folder.
    const sealed = await writingProject('[build/cache]', { 'build/cache/.keep': '' });
    const project = sealed.project.dir;
    await rename(join(project, 'build'), join(project, 'build.old'));
    await symlink(outside, join(project, 'build'));
    const error = await refusal(sealed, [join(project, 'build', 'cache')]);
    expect(readdirSync(join(outside, 'cache')), 'written where the link leads').toEqual([]);
    expect(isIronrunError(error) && error.code).toBe('TRUST_CHANGED');
    expect((error as Error).message).toContain(
      `its write: folder ${join(project, 'build', 'cache')} has a symlink in its path (it leads to ${join(outside, 'cache')})`,
    );
    expect(errorText(error)).not.toContain(secret);
  });
});
