import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isSandboxError, probeIsolation } from '../src/index.js';
import { nativeInitPath } from '../src/native-init.js';
import { spawnSealedWith } from '../src/spawn-sealed.js';
import { shellScriptIndex } from '../src/verified-exec.js';
import { fixture, sealedRun } from './sealed-run.js';

/**
 * What runs is what was verified: the program and a shell's script are
 * checked against the hash a person trusted, and (native init) run from a
 * sealed in-memory copy of the checked bytes. The race itself (a swap after
 * the check) is core/test/script-swap.test.ts; here, what the program
 * inside can do to its copy, Landlock, and the refusal.
 */
const isolation = await probeIsolation();
const native = isolation.pidNamespace ? nativeInitPath() : null;
const nativeSkip =
  native === null ? 'needs Linux user and PID namespaces and the native init' : undefined;
if (nativeSkip !== undefined) console.log(`verified-exec: native cases skipped: ${nativeSkip}`);

const secret = 'verified-exec-secret-4b1d9e';
const scratch = mkdtempSync('/tmp/ironrun-verified-');
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let project: string;
beforeEach(() => {
  project = mkdtempSync(join(scratch, 'case-'));
  chmodSync(project, 0o755);
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes an executable script into the project; returns its verified entry. */
function pinned(name: string, text: string): { path: string; sha256: string } {
  const path = join(project, name);
  writeFileSync(path, text, { mode: 0o755 });
  return { path, sha256: sha256(text) };
}

async function refusal(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('shellScriptIndex', () => {
  it('finds the script operand after options, and none for -c, -s or -i', () => {
    expect(shellScriptIndex(['sh', './x.sh', 'a'])).toBe(1);
    expect(shellScriptIndex(['bash', '-e', '-o', 'pipefail', 'x.sh'])).toBe(4);
    expect(shellScriptIndex(['bash', '--norc', '--', '-x.sh'])).toBe(3);
    expect(shellScriptIndex(['sh', '-c', 'echo hi', './x.sh'])).toBeUndefined();
    expect(shellScriptIndex(['sh', '-ec', 'echo hi'])).toBeUndefined();
    expect(shellScriptIndex(['sh', '-s', './x.sh'])).toBeUndefined();
    expect(shellScriptIndex(['sh'])).toBeUndefined();
  });
});

describe('spawnSealed: verified', () => {
  it('refuses a program whose content is not the verified one, runs nothing and shows no content', async () => {
    const entry = pinned('run.sh', '#!/bin/sh\necho trusted\n');
    writeFileSync(entry.path, `#!/bin/sh\ntouch ran.marker; echo ${secret}\n`);
    const error = await refusal(
      sealedRun({ argv: ['./run.sh'], cwd: project, verified: [entry], env: { TOKEN: secret } }),
    );
    expect(isSandboxError(error) && error.code).toBe('CONTENT_CHANGED');
    expect((error as Error).message).toContain('./run.sh');
    expect((error as Error).message).not.toContain(secret);
    expect(existsSync(join(project, 'ran.marker'))).toBe(false);
  });

  it("refuses a shell's script argument whose content changed, with sh ./x.sh", async () => {
    const entry = pinned('run.sh', 'echo trusted\n');
    writeFileSync(entry.path, 'touch ran.marker\n');
    const error = await refusal(
      sealedRun({ argv: ['sh', './run.sh'], cwd: project, verified: [entry] }),
    );
    expect(isSandboxError(error) && error.code).toBe('CONTENT_CHANGED');
    expect(existsSync(join(project, 'ran.marker'))).toBe(false);
  });

  it('refuses a verified argument of another interpreter that changed (node ./x.js), though it runs by path', async () => {
    const entry = pinned('run.js', 'console.log("trusted")\n');
    writeFileSync(entry.path, 'require("fs").writeFileSync("ran.marker", "")\n');
    const error = await refusal(
      sealedRun({ argv: [process.execPath, './run.js'], cwd: project, verified: [entry] }),
    );
    expect(isSandboxError(error) && error.code).toBe('CONTENT_CHANGED');
    expect(existsSync(join(project, 'ran.marker'))).toBe(false);
  });

  it('refuses a verified file swapped for a symlink to another verified file', async () => {
    const trusted = pinned('deploy.sh', '#!/bin/sh\necho deploy\n');
    const other = pinned('wipe.sh', '#!/bin/sh\ntouch wiped.marker\n');
    rmSync(trusted.path);
    const { symlinkSync } = await import('node:fs');
    symlinkSync(other.path, trusted.path);
    const error = await refusal(
      sealedRun({ argv: ['./deploy.sh'], cwd: project, verified: [trusted, other] }),
    );
    expect(isSandboxError(error) && error.code).toBe('CONTENT_CHANGED');
    expect(existsSync(join(project, 'wiped.marker'))).toBe(false);
  });

  it('refuses malformed verified entries', async () => {
    for (const verified of [
      [{ path: 'relative.sh', sha256: sha256('x') }],
      [{ path: '/abs.sh', sha256: 'not-a-hash' }],
      'nope',
    ]) {
      const error = await refusal(
        sealedRun({ argv: ['/bin/true'], cwd: project, verified: verified as never }),
      );
      expect(isSandboxError(error) && error.code).toBe('INVALID_OPTIONS');
    }
  });

  it('under the Node init, checks the content and then runs the script by path', async () => {
    const entry = pinned('run.sh', '#!/bin/sh\necho "$0"\n');
    const child = await spawnSealedWith(
      {
        argv: ['./run.sh'],
        cwd: project,
        ttlMs: 20_000,
        verified: [entry],
        isolation: 'best-effort',
      },
      { nativeInit: null },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const result = await child.result;
    expect(result.exitCode).toBe(0);
    expect(out).toBe(`${entry.path}\n`);
    writeFileSync(entry.path, '#!/bin/sh\ntouch ran.marker\n');
    const error = await refusal(
      spawnSealedWith(
        {
          argv: ['./run.sh'],
          cwd: project,
          ttlMs: 20_000,
          verified: [entry],
          isolation: 'best-effort',
        },
        { nativeInit: null },
      ),
    );
    expect(isSandboxError(error) && error.code).toBe('CONTENT_CHANGED');
    expect(existsSync(join(project, 'ran.marker'))).toBe(false);
  });
});

/**
 * The attacker is the program: it finds the copy it runs from (its memfd,
 * through /proc/$$/fd, as $0 is the path it was named by) and tries to
 * chmod, append to, rewrite through /proc/self/fd, and truncate it.
 */
const selfEdit = [
  '#!/bin/sh',
  'echo "zero=$0"',
  'fd=',
  'for f in /proc/$$/fd/*; do case "$(readlink "$f")" in *ironrun-verified:run.sh*) fd=$(basename "$f");; esac; done',
  'echo "copy=$(readlink "/proc/$$/fd/$fd")"',
  'chmod 0777 "/dev/fd/$fd" 2>/dev/null',
  '( echo "echo SWAPPED" >> "/dev/fd/$fd" ) 2>/dev/null; echo "append=$?"',
  '( echo "echo SWAPPED" > "/proc/self/fd/$fd" ) 2>/dev/null; echo "rewrite=$?"',
  'truncate -s 0 "/dev/fd/$fd" 2>/dev/null; echo "truncate=$?"',
  'grep -c "^echo SWAPPED$" "/dev/fd/$fd"',
  '',
].join('\n');
/** What the self-edit attack prints when every attempt failed and the copy holds none of it. */
const selfEditDefeated =
  /^zero=\.\/run\.sh\ncopy=\/memfd:ironrun-verified:run\.sh \(deleted\)\nappend=[12]\nrewrite=[12]\ntruncate=[12]\n0\n$/;

const asNobody =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', ['--version']).status === 0 &&
  existsSync(new URL('../dist/index.js', import.meta.url));
if (nativeSkip === undefined && !asNobody)
  console.log('verified-exec: the uid 65534 case is skipped: it needs root, setpriv and a build');

describe.skipIf(nativeSkip !== undefined)('spawnSealed: verified, under the native init', () => {
  it('runs the script from a sealed copy: $0 is the path given, and the program cannot write, truncate or re-open its copy for writing', async () => {
    const entry = pinned('run.sh', selfEdit);
    const run = await sealedRun({ argv: ['./run.sh'], cwd: project, verified: [entry] });
    // Each attempt failed (the shell's status is 1 or 2, by where it failed),
    // and the copy holds none of what was written.
    expect(run.stdout).toMatch(selfEditDefeated);
    expect(run.result.isolation.init).toBe('native');
  });

  it.skipIf(!asNobody)('as uid 65534 too: the program cannot change its copy', () => {
    const entry = pinned('run.sh', selfEdit);
    chownSync(project, 65534, 65534);
    chownSync(entry.path, 65534, 65534);
    const run = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        fixture('verified-as-caller.mjs'),
        project,
        entry.sha256,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const outcome = JSON.parse(run.stdout) as { uid: number; stdout: string; init: string };
    expect(outcome).toMatchObject({ uid: 65534, init: 'native' });
    expect(outcome.stdout).toMatch(selfEditDefeated);
  });

  it('runs a verified ELF program from its copy (execveat), with its arguments', async () => {
    const bytes = (await import('node:fs')).readFileSync('/bin/echo');
    const path = join(project, 'echo');
    writeFileSync(path, bytes, { mode: 0o755 });
    const hash = createHash('sha256').update(bytes).digest('hex');
    const run = await sealedRun({
      argv: ['./echo', 'from', 'the copy'],
      cwd: project,
      verified: [{ path, sha256: hash }],
    });
    expect(run.stdout).toBe('from the copy\n');
    expect(run.result.exitCode).toBe(0);
  });

  it('Landlock exec rules still allow the verified copy when exec is confined (allow:)', async () => {
    const entry = pinned('run.sh', '#!/bin/sh\necho trusted\n/bin/true && echo allowed\n');
    const run = await sealedRun({
      argv: ['./run.sh'],
      cwd: project,
      allow: ['/bin/true'],
      verified: [entry],
    });
    expect(run.stdout).toBe('trusted\nallowed\n');
    const shell = pinned('lib.sh', 'echo from sh\n');
    const viaShell = await sealedRun({
      argv: ['/bin/sh', './lib.sh'],
      cwd: project,
      allow: ['/bin/true'],
      verified: [shell],
    });
    expect(viaShell.stdout).toBe('from sh\n');
  });

  it('a script still sources siblings relative to the working folder', async () => {
    pinned('lib.sh', 'greeting=hello\n');
    const entry = pinned('run.sh', '#!/bin/sh\n. ./lib.sh\necho "$greeting $1"\n');
    const run = await sealedRun({ argv: ['./run.sh', 'world'], cwd: project, verified: [entry] });
    expect(run.stdout).toBe('hello world\n');
  });

  /** Prints $0, $# and each argument bracketed: a lost, split or globbed argument shows. */
  const showArgs =
    'printf "%s\\n" "zero=$0" "count=$#"; for a in "$@"; do printf "[%s]" "$a"; done; echo\n';
  const args = ['a b', '*', '$HOME', ''];
  const shownArgs = 'count=4\n[a b][*][$HOME][]\n';

  it.each([
    ['#!/bin/sh', ['./run.sh']],
    ['#!/bin/sh -e', ['./run.sh']],
    ['#!/bin/bash', ['./run.sh']],
    ['#!/usr/bin/env bash', ['./run.sh']],
    ['#!/usr/bin/env dash', ['./run.sh']],
    ['', ['sh', './run.sh']],
    ['', ['/bin/dash', '-e', './run.sh']],
    ['', ['bash', '--norc', '-u', '--', './run.sh']],
  ])(
    'keeps the path given as the script name (dollar zero) and the arguments intact: %s %j',
    async (shebang, argv) => {
      const entry = pinned('run.sh', `${shebang}\n${showArgs}`);
      const run = await sealedRun({ argv: [...argv, ...args], cwd: project, verified: [entry] });
      expect(run.stdout).toBe(`zero=./run.sh\n${shownArgs}`);
      expect(run.result.exitCode).toBe(0);
    },
  );

  it('a script named with a leading dash after -- stays the name, not an option', async () => {
    const entry = pinned('-run.sh', showArgs);
    for (const shell of ['sh', 'bash']) {
      const run = await sealedRun({
        argv: [shell, '--', '-run.sh', '-e', 'x'],
        cwd: project,
        verified: [entry],
      });
      expect(run.stdout).toBe('zero=-run.sh\ncount=2\n[-e][x]\n');
    }
  });

  it('a script finds its siblings through dirname "$0", from another working folder', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(project, 'tools'), { mode: 0o755 });
    pinned('tools/lib.sh', 'greeting=hello\n');
    const script =
      '. "$(dirname "$0")/lib.sh"\ncd "$(dirname "$0")"\necho "$greeting from $(basename "$PWD")"\n';
    const direct = pinned('tools/run.sh', `#!/bin/sh\n${script}`);
    const run = await sealedRun({ argv: ['./tools/run.sh'], cwd: project, verified: [direct] });
    expect(run.stdout).toBe('hello from tools\n');
    for (const shell of ['sh', 'bash']) {
      const viaShell = await sealedRun({
        argv: [shell, 'tools/run.sh'],
        cwd: project,
        verified: [direct],
      });
      expect(viaShell.stdout).toBe('hello from tools\n');
    }
  });

  it.each([
    ['#!/bin/sh', []],
    ['#!/bin/bash', []],
    ['', ['dash']],
    ['', ['bash']],
  ])(
    'exit, set -e and return inside functions behave as in a script run by path: %s %j',
    async (shebang, shell) => {
      const cases: [string, number, string][] = [
        ['echo one\nexit 7\necho never\n', 7, 'one\n'],
        ['set -e\necho one\nfalse\necho never\n', 1, 'one\n'],
        ['f() { return 3; echo never; }\nf; echo "f=$?"\nshift; echo "$# $1"\n', 0, 'f=3\n1 b\n'],
        ['if false; then :; fi\n', 0, ''],
      ];
      for (const [body, code, out] of cases) {
        const entry = pinned('run.sh', `${shebang}\n${body}`);
        const run = await sealedRun({
          argv: [...shell, './run.sh', 'a', 'b'],
          cwd: project,
          verified: [entry],
        });
        expect([run.result.exitCode, run.stdout]).toEqual([code, out]);
      }
    },
  );
});
