import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapForbidsNesting } from './bwrap-forbids-nesting.js';
import { cliPath, runProcess } from './cli-process.js';

// Where unprivileged user namespaces are restricted (Ubuntu 24.04's AppArmor rule) and bubblewrap
// is installed without the profile that allows it, bwrap is there but fails at its start:
// "bwrap: setting up uid map: Permission denied", exit 1. ironrun takes bwrap from fixed paths,
// never from PATH, so the tests put a bwrap that fails that way over /usr/bin/bwrap in a mount
// namespace of their own. ironrun must then start the agent under its own unshare set-up where
// that works, or refuse with the reason and the fix, and never start the agent unconfined.

const node = process.execPath;
const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;
const bwrapMessage = 'bwrap: setting up uid map: Permission denied';
const realBwrap = '/usr/bin/bwrap';
const unshare = '/usr/bin/unshare';
const root = process.getuid?.() === 0;

function works(file: string, args: readonly string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

const linux = process.platform === 'linux';
/** A mount namespace of the test's own: as root directly, else inside a user namespace. */
const ownMountNamespace = root
  ? ['--mount', '--propagation', 'private']
  : ['--user', '--map-root-user', '--mount', '--propagation', 'private'];
const canReplaceBwrap =
  linux && existsSync(realBwrap) && works(unshare, [...ownMountNamespace, '--', '/bin/true']);
const unshareWorks =
  canReplaceBwrap &&
  works(node, [cliPath, 'agent', '--confinement', 'unshare', '--dry-run', '--', 'true']);
/** Whether bubblewrap can make a user namespace that forbids nested ones. */
const canForbidNesting = canReplaceBwrap && bwrapForbidsNesting(realBwrap);
if (!canReplaceBwrap) {
  console.log(
    'skipping the fallback tests: no bwrap installed, or no mount namespace for the test',
  );
} else if (!unshareWorks) {
  console.log('skipping the fallback-to-unshare test: the own set-up fails here');
}
if (canReplaceBwrap && !canForbidNesting) {
  console.log('skipping the refusal test: this bubblewrap cannot --disable-userns');
}

let home: TestDir;
let project: TestDir;
let fake: string;
let env: Record<string, string>;

beforeAll(async () => {
  home = await testdir({
    'cfg/secrets.env': { content: `API_TOKEN=${SECRET}\n`, mode: 0o600 },
    // What Ubuntu 24.04's restriction makes bwrap print, and its exit code.
    'fake-bwrap': { content: `#!/bin/sh\necho '${bwrapMessage}' >&2\nexit 1\n`, mode: 0o755 },
  });
  project = await testdir({});
  fake = home.path('fake-bwrap');
  env = {
    HOME: home.dir,
    IRONRUN_CONFIG_DIR: home.path('cfg'),
    XDG_STATE_HOME: home.path('state'),
    PATH: '/usr/bin:/bin',
  };
});

afterAll(async () => {
  await project?.cleanup();
  await home?.cleanup();
});

/** `ironrun agent …args` with the failing bwrap (or `bwrap`) bound over /usr/bin/bwrap. */
function agentWithFailingBwrap(args: readonly string[], bwrap = fake) {
  return runProcess(
    unshare,
    [
      ...ownMountNamespace,
      '--',
      '/bin/sh',
      '-c',
      'mount --bind "$0" /usr/bin/bwrap && exec "$@"',
      bwrap,
      node,
      cliPath,
      'agent',
      ...args,
    ],
    { cwd: project.dir, env },
  );
}

/**
 * The agent: it counts its starts in the project, then reports how it is confined and what it
 * reads of the envfile (its size, never its content).
 */
const agentLine = (envfile: string) =>
  [
    'echo started >> ./starts',
    'echo "confined=$IRONRUN_CONFINED"',
    `echo "envfile=$(wc -c < '${envfile}' 2>/dev/null || echo unreadable)"`,
  ].join('; ');

describe.skipIf(!canReplaceBwrap)('ironrun agent: bubblewrap installed but refused', () => {
  it('the failing bwrap fails as under the restriction: --confinement bubblewrap refuses with its message and never starts the agent', async () => {
    const marker = project.path('bubblewrap-only-ran');
    const run = await agentWithFailingBwrap([
      '--confinement',
      'bubblewrap',
      '--',
      '/bin/touch',
      marker,
    ]);
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toContain(`bubblewrap cannot create its namespaces here (${bwrapMessage})`);
    expect(run.stderr).toMatch(/It was not started/);
    expect(existsSync(marker)).toBe(false);
  });

  it.skipIf(!unshareWorks)(
    'falls back to the own unshare set-up: the agent starts once, confined, and cannot read the envfile',
    async () => {
      const dry = await agentWithFailingBwrap(['--dry-run', '--', 'true']);
      expect(dry.stdout).toMatch(/^confinement: unshare /m);

      const run = await agentWithFailingBwrap([
        '--',
        '/bin/sh',
        '-c',
        agentLine(home.path('cfg/secrets.env')),
      ]);
      expect(run.code, run.stderr).toBe(0);
      // bwrap's own message is shown (the set-up failed before the agent), then the fallback.
      expect(run.stderr).toContain(bwrapMessage);
      expect(run.stdout).toContain('confined=unshare\n');
      expect(run.stdout).toMatch(/^envfile=(?:0|unreadable)$/m);
      expect(readFileSync(project.path('starts'), 'utf8')).toBe('started\n');
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    },
  );

  it.skipIf(!canForbidNesting)(
    'refuses, naming both reasons and the fix, when the namespaces are refused too, and never starts the agent',
    async () => {
      const marker = project.path('refused-ran');
      // A user namespace that forbids nested ones (as where unprivileged ones are refused), with
      // the failing bwrap over /usr/bin/bwrap inside it.
      const run = await runProcess(
        realBwrap,
        [
          '--unshare-user',
          '--disable-userns',
          '--dev-bind',
          '/',
          '/',
          '--ro-bind',
          fake,
          '/usr/bin/bwrap',
          '--',
          node,
          cliPath,
          'agent',
          '--',
          '/bin/touch',
          marker,
        ],
        { cwd: project.dir, env },
      );
      expect(run.code, run.stderr).toBe(5);
      expect(run.stderr).toMatch(/Cannot confine the agent here: .*It was not started/);
      expect(run.stderr).toContain(
        `bubblewrap cannot create its namespaces here (${bwrapMessage})`,
      );
      expect(run.stderr).toMatch(/unshare cannot create user, mount and PID namespaces here/);
      expect(run.stderr).toMatch(/Install bubblewrap/);
      expect(run.stderr).toMatch(/kernel\.apparmor_restrict_unprivileged_userns=0/);
      expect(existsSync(marker)).toBe(false);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    },
  );
});

// bubblewrap before 0.3.2 has no --json-status-fd, by which ironrun learns that the set-up
// completed: it refuses the option before it sets anything up. A copy of the real bwrap behind a
// script that refuses the option as that one does.
const oldBwrapMessage = 'bwrap: Unknown option --json-status-fd';
const copiedBwrapWorks = (): boolean => {
  if (!canReplaceBwrap) return false;
  const copy = home.path('real-bwrap');
  copyFileSync(realBwrap, copy);
  chmodSync(copy, 0o755);
  return works(copy, ['--unshare-user', '--dev-bind', '/', '/', '--', '/bin/true']);
};

describe.skipIf(!canReplaceBwrap)('ironrun agent: a bubblewrap without --json-status-fd', () => {
  it('starts the agent once, under bubblewrap behind the marker, and the agent cannot read the envfile', async (context) => {
    if (!copiedBwrapWorks()) {
      context.skip();
      return;
    }
    const older = home.path('older-bwrap');
    writeFileSync(
      older,
      [
        '#!/bin/sh',
        'for a; do',
        '  [ "$a" = -- ] && break',
        `  [ "$a" = --json-status-fd ] && { echo '${oldBwrapMessage}' >&2; exit 1; }`,
        'done',
        `exec '${home.path('real-bwrap')}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    rmSync(project.path('starts'), { force: true });
    const run = await agentWithFailingBwrap(
      ['--', '/bin/sh', '-c', agentLine(home.path('cfg/secrets.env'))],
      older,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(oldBwrapMessage);
    expect(run.stdout).toContain('confined=bubblewrap\n');
    expect(run.stdout).toMatch(/^envfile=(?:0|unreadable)$/m);
    expect(readFileSync(project.path('starts'), 'utf8')).toBe('started\n');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});
