import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { probeIsolation, spawnSealed } from '../src/index.js';
import { nativeInitPath } from '../src/native-init.js';
import { drainSealed, fixture, sealedRun } from './sealed-run.js';

/**
 * Landlock confines what a sealed program may execute and where it may write
 * (the native init applies it). Each attack here is what code inside the seal
 * (a trusted script, or the agent's code it runs) would try.
 */
const isolation = await probeIsolation();
const native = nativeInitPath();
/** Why Landlock cannot be tested here, asked of the kernel through a real sealed run. */
async function landlockMissing(): Promise<string | undefined> {
  if (!isolation.pidNamespace || native === null)
    return 'needs Linux with user and PID namespaces and the native init';
  try {
    const run = await sealedRun({ argv: ['/bin/true'], cwd: '/' });
    return run.result.isolation.landlock ? undefined : 'the run was not confined';
  } catch (error) {
    return `the kernel lacks Landlock: ${(error as Error).message.slice(0, 160)}`;
  }
}
const missing = await landlockMissing();
const canConfine = missing === undefined;
if (!canConfine) console.log(`landlock: skipped: ${missing}`);

const scratch = mkdtempSync('/tmp/ironrun-landlock-');
chmodSync(scratch, 0o755); // the uid 65534 case walks through it
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let project: string;
let outside: string;
beforeEach(() => {
  const dir = mkdtempSync(join(scratch, 'case-'));
  chmodSync(dir, 0o755);
  project = join(dir, 'project');
  outside = join(dir, 'outside');
  mkdirSync(project);
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.txt'), 'original');
});

function script(name: string, text: string): string {
  writeFileSync(join(project, name), text, { mode: 0o755 });
  return `./${name}`;
}

/** Whatever the run got, outside must hold exactly the victim, unchanged. */
function expectOutsideUntouched(): void {
  expect(readdirSync(outside)).toEqual(['victim.txt']);
  expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('original');
}

describe.skipIf(!canConfine)('spawnSealed: Landlock confines exec and writes', () => {
  it('reports that the run was confined', async () => {
    const run = await sealedRun({ argv: ['/bin/true'], cwd: project });
    expect(run.result.isolation).toMatchObject({ init: 'native', landlock: true });
  });

  it('exec: an allowlisted script that runs a program not on the list is refused', async () => {
    const marker = join(project, 'touched');
    const argv = [script('tool.sh', '#!/bin/sh\n/usr/bin/touch "$1"\necho "touch: $?"\n'), marker];
    const refused = await sealedRun({ argv, cwd: project, allow: ['/bin/true'] });
    expect(existsSync(marker), 'the unlisted program ran').toBe(false);
    expect(refused.stdout).toBe('touch: 126\n');
    // The same script with the program listed: the refusal was the allowlist's.
    const allowed = await sealedRun({ argv, cwd: project, allow: ['/usr/bin/touch'] });
    expect(allowed.stdout).toBe('touch: 0\n');
    expect(existsSync(marker)).toBe(true);
  });

  it('exec: a program copied into the project, or written there, cannot be run', async () => {
    copyFileSync('/usr/bin/touch', join(project, 'planted'));
    chmodSync(join(project, 'planted'), 0o755);
    const argv = [
      script(
        'plant.sh',
        '#!/bin/sh\n./planted copied-ran; echo "$?"\nprintf "#!/bin/sh\\necho written-ran\\n" > w.sh; chmod +x w.sh 2>/dev/null; ./w.sh; echo "$?"\n',
      ),
    ];
    const run = await sealedRun({ argv, cwd: project, allow: ['/bin/chmod'] });
    expect(existsSync(join(project, 'copied-ran'))).toBe(false);
    expect(run.stdout).not.toContain('written-ran');
    expect(run.stdout.trim().split('\n')).toEqual(['126', '126']);
  });

  it.skipIf(!existsSync('/usr/bin/python3'))(
    'exec: an unlisted program written into a memfd of its own and executed from it is refused',
    async () => {
      // Landlock checks exec on paths, and a memfd has none: the init refuses
      // an executable memfd where exec is confined, so the bytes of touch cannot run.
      const marker = join(project, 'memfd-ran');
      const program = [
        'import os',
        'try:',
        "    fd = os.memfd_create('x')",
        "    os.write(fd, open('/usr/bin/touch', 'rb').read())",
        `    os.execve(fd, ['touch', ${JSON.stringify(marker)}], {})`,
        'except OSError as error:',
        '    print(error.errno)',
        "fd = os.memfd_create('data', os.MFD_CLOEXEC | 8)  # MFD_NOEXEC_SEAL: still allowed",
        "print('data', os.write(fd, b'ok'))",
      ].join('\n');
      const run = await sealedRun({
        argv: ['/usr/bin/python3', '-c', program],
        cwd: project,
        allow: ['/bin/true'],
      });
      expect(existsSync(marker), 'the memfd copy of touch ran').toBe(false);
      expect(run.stdout).toBe('1\ndata 2\n');
    },
  );

  it('exec: node spawning an unlisted program is refused (EACCES)', async () => {
    const program = `
      const { spawnSync } = require('node:child_process');
      const r = spawnSync('/usr/bin/id', ['-u']);
      process.stdout.write(String(r.error?.code ?? r.status));`;
    const run = await sealedRun({
      argv: [process.execPath, '-e', program],
      cwd: project,
      allow: ['/bin/true'],
    });
    expect(run.stdout).toBe('EACCES');
  });

  it('exec: a command that declares no allow: list may exec any program, and its writes stay confined', async () => {
    const marker = join(project, 'touched');
    const argv = [
      script(
        'open.sh',
        `#!/bin/sh\n/usr/bin/touch "$1"\necho "touch: $?"\n/usr/bin/touch ${outside}/o.txt\n`,
      ),
      marker,
    ];
    const run = await sealedRun({ argv, cwd: project });
    expect(run.stdout).toBe('touch: 0\n');
    expect(existsSync(marker)).toBe(true);
    expectOutsideUntouched();
  });

  it('write: every way to change a file outside the project is refused; project, TMPDIR and write: paths work', async () => {
    const extra = join(outside, '..', 'extra');
    mkdirSync(extra);
    const run = await sealedRun({
      argv: [
        process.execPath,
        fixture('write-attempts.mjs'),
        outside,
        'in-project.txt',
        join(extra, 'e.txt'),
      ],
      cwd: project,
      write: [project, extra],
    });
    const got = JSON.parse(run.stdout) as Record<string, string>;
    const { utimes, ...confined } = got;
    for (const [attempt, outcome] of Object.entries(confined)) {
      if (attempt.includes('/') || attempt === 'in-project.txt')
        expect(outcome, attempt).toBe('ok');
      else expect(outcome, attempt).toMatch(/^(EACCES|EPERM|EXDEV)$/);
    }
    expect(utimes).toBe('ok'); // metadata is outside Landlock's reach: see SECURITY.md
    expect(readdirSync(outside)).toEqual(['victim.txt']);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('original');
    expect(readFileSync(join(project, 'in-project.txt'), 'utf8')).toBe('fine');
    expect(readFileSync(join(extra, 'e.txt'), 'utf8')).toBe('fine');
  });

  it('write: the private TMPDIR is empty for each run and gone with it, and /tmp itself is not writable', async () => {
    rmSync('/tmp/ironrun-landlock-escape', { force: true }); // left by a run of unconfined code
    const run = await sealedRun({
      argv: [
        '/bin/sh',
        '-c',
        'echo "$TMPDIR"; echo x > "$TMPDIR/t" && echo tmp-ok; echo x > /tmp/ironrun-landlock-escape; echo "$?"',
      ],
      cwd: project,
    });
    const [tmp, ok, code] = run.stdout.trim().split('\n');
    expect(tmp).toMatch(/^\/tmp\/ironrun-tmp-/);
    expect(ok).toBe('tmp-ok');
    expect(code).toBe('2');
    expect(existsSync('/tmp/ironrun-landlock-escape')).toBe(false);
    // The run's own tmpfs went with it: the folder it was mounted on is empty.
    expect(readdirSync(tmp!)).toEqual([]);
    // The next run's TMPDIR is empty again.
    const next = await sealedRun({
      argv: ['/bin/sh', '-c', 'ls -A "$TMPDIR"; echo end'],
      cwd: project,
    });
    expect(next.stdout).toBe('end\n');
  });

  it("attack: a run told a concurrent run's TMPDIR cannot read what that run keeps there", async () => {
    const holder = await spawnSealed({
      argv: [
        '/bin/sh',
        '-c',
        'echo kept-by-holder > "$TMPDIR/kept" && echo "$TMPDIR" && exec /bin/sleep 20',
      ],
      cwd: project,
      ttlMs: 30_000,
      killGraceMs: 200,
    });
    holder.stderr.resume();
    const holderTmp = await new Promise<string>((resolve) =>
      holder.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim())),
    );
    const held = drainSealed(holder);
    try {
      const reader = await sealedRun({
        argv: ['/bin/sh', '-c', `cat "${holderTmp}/kept"; ls -A "${holderTmp}"; echo end`],
        cwd: project,
      });
      expect(reader.stdout).toBe('end\n');
    } finally {
      holder.kill();
      await held;
    }
  });

  it('a grandchild, detached in its own session, is confined too', async () => {
    const marker = join(project, 'grandchild-done');
    const grandchild = `echo pwned > ${outside}/gc.txt; /usr/bin/touch ${project}/gc-exec; echo done > ${marker}`;
    const program = `
      const { spawn } = require('node:child_process');
      const c = spawn('/bin/sh', ['-c', ${JSON.stringify(`/bin/sh -c '${grandchild}'`)}], { detached: true, stdio: 'ignore' });
      c.on('exit', () => process.exit(0));`;
    await sealedRun({ argv: [process.execPath, '-e', program], cwd: project, allow: ['/bin/sh'] });
    expect(readFileSync(marker, 'utf8')).toBe('done\n');
    expect(existsSync(join(project, 'gc-exec'))).toBe(false);
    expectOutsideUntouched();
  });

  it('write: an entry with a symlink in its path is refused, never resolved to where the link leads', async () => {
    // The agent put the link in the project; resolving it would allow writes outside.
    symlinkSync(outside, join(project, 'cache'));
    const error = await sealedRun({
      argv: ['/bin/sh', '-c', `echo x > ${join(project, 'cache')}/o.txt`],
      cwd: project,
      write: [project, join(project, 'cache')],
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expectOutsideUntouched();
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((error as Error).message).toContain(
      `has a symlink in its path (it leads to ${outside})`,
    );
  });

  it('a write: path that does not exist allows nothing, and the rest stays confined', async () => {
    const run = await sealedRun({
      argv: ['/bin/sh', '-c', `echo x > ${outside}/via-link; echo "$?"`],
      cwd: project,
      write: [join(project, 'no-such-dir')],
    });
    expect(run.stdout).toBe('2\n');
    expectOutsideUntouched();
  });
});

const gcc = spawnSync('gcc', ['--version']).status === 0;
const built = existsSync(new URL('../dist/index.js', import.meta.url));
const withoutLandlock = join(scratch, 'without-landlock');
if (canConfine && gcc)
  execFileSync('gcc', ['-O2', '-o', withoutLandlock, fixture('without-landlock.c')]);
else
  console.log(
    'landlock: the refusal tests are skipped: they need gcc to build their seccomp helper',
  );

/** Runs the built spawnSealed of `touch ran.marker` under a caller whose seccomp filter hides Landlock (ENOSYS). */
function spawnWithoutLandlock(mode: 'strict' | 'best-effort', dir: string) {
  const run = spawnSync(
    withoutLandlock,
    [process.execPath, fixture('spawn-under-test.mjs'), dir, mode],
    { encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as {
    ran: boolean;
    code?: string;
    message?: string;
    isolation?: Record<string, unknown>;
  };
}

describe.skipIf(!canConfine || !gcc || !built)('spawnSealed: where Landlock is missing', () => {
  it('refuses a strict command with the reason and the fix, and runs nothing', () => {
    const outcome = spawnWithoutLandlock('strict', project);
    expect(outcome.ran).toBe(false);
    expect(outcome.code).toBe('ISOLATION_UNAVAILABLE');
    expect(outcome.message).toContain('Landlock');
    expect(outcome.message).toContain('isolation: best-effort');
    expect(existsSync(join(project, 'ran.marker')), 'the command ran').toBe(false);
  });

  it('runs a best-effort command unconfined, and says so', () => {
    const outcome = spawnWithoutLandlock('best-effort', project);
    expect(outcome.ran).toBe(true);
    expect(outcome.isolation).toMatchObject({ init: 'native', bestEffort: true, landlock: false });
    expect(existsSync(join(project, 'ran.marker'))).toBe(true);
  });
});

const root = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
if (canConfine && (!root || !setpriv))
  console.log(
    'landlock: the uid 65534 run is skipped: it needs root and setpriv to drop to nobody',
  );

describe.skipIf(!canConfine || !root || !setpriv || !built)(
  'spawnSealed: Landlock as uid 65534',
  () => {
    it('confines exec and writes for a caller that is nobody', () => {
      chownSync(join(project, '..'), 65534, 65534);
      chownSync(project, 65534, 65534);
      chownSync(outside, 65534, 65534);
      chownSync(join(outside, 'victim.txt'), 65534, 65534);
      const run = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          fixture('landlock-as-caller.mjs'),
          project,
          outside,
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      const outcome = JSON.parse(run.stdout) as {
        uid: number;
        landlock: boolean;
        exec: string;
        writes: Record<string, string>;
      };
      expect(outcome.uid).toBe(65534);
      expect(outcome.landlock).toBe(true);
      expect(outcome.exec).toBe('126');
      expect(existsSync(join(project, 'touched'))).toBe(false);
      const { utimes: _, ...confined } = outcome.writes;
      for (const [attempt, got] of Object.entries(confined)) {
        if (attempt.includes('/') || attempt === 'in-project.txt') expect(got, attempt).toBe('ok');
        else expect(got, attempt).toMatch(/^(EACCES|EPERM|EXDEV)$/);
      }
      expectOutsideUntouched();
    });
  },
);
