import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  writeFileSync,
} from 'node:fs';

import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinProviderReferences, type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { nobody, setpriv } from './as-nobody.js';
import { cliPath, runIronrun } from './cli-process.js';

// The end-to-end attack suite of `ironrun agent`: a hostile agent (test/fixtures/agent-attacker.mjs)
// is started confined, and, as the control, unconfined with the same environment; each attack must
// get nothing inside and must be shown to work outside, so the suite can fail.

const attacker = fileURLToPath(new URL('./fixtures/agent-attacker.mjs', import.meta.url));
const policyModule = pathToFileURL(createRequire(import.meta.url).resolve('@ironrun/policy')).href;

const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;
const DOPPLER_TOKEN = `dp.st.${randomBytes(12).toString('hex')}`;
const OP_TOKEN = `ops_${randomBytes(12).toString('hex')}`;
const OP_SESSION_FILE = `op-session-${randomBytes(12).toString('hex')}`;
const DOPPLER_FILE = `doppler-file-${randomBytes(12).toString('hex')}`;
const INFISICAL_FILE = `infisical-file-${randomBytes(12).toString('hex')}`;
const holdScript = `scripts/hold-${randomBytes(4).toString('hex')}.sh`;

/** The secret as the evil command prints it: reversed, one dash after each character. */
const reversedSecret = [...SECRET].map((char) => `${char}-`).join('');
const secretForms = [
  SECRET,
  reversedSecret,
  Buffer.from(SECRET).toString('base64'),
  Buffer.from(SECRET).toString('hex'),
  DOPPLER_TOKEN,
  OP_TOKEN,
  OP_SESSION_FILE,
  DOPPLER_FILE,
  INFISICAL_FILE,
];
/** Whether any secret value, in any of the forms above, appears in `text` (never prints it). */
const leaks = (text: string) => secretForms.filter((form) => text.includes(form)).length;
/**
 * What was read, described without its content: `empty` when every file in it
 * is empty (a folder may list the empty stand-in of a hidden file), else the
 * first error, else a size.
 */
function shapeOf(content: unknown): string {
  if (typeof content === 'string') {
    if (content.startsWith('error:')) return content;
    return content === '' ? 'empty' : `${content.length} bytes`;
  }
  const shapes = Object.values((content ?? {}) as object).map(shapeOf);
  return shapes.find((shape) => !shape.startsWith('error:') && shape !== 'empty') ?? 'empty';
}
const holds = (text: unknown, value: string) => JSON.stringify(text ?? '').includes(value);

type Kind = 'bubblewrap' | 'unshare';
type User = 'self' | 'nobody';
const asNobody = [setpriv, ...nobody];
const isRoot = process.getuid?.() === 0;

function confinementAvailable(kind: Kind, user: User): { ok: boolean; why: string } {
  if (process.platform !== 'linux')
    return { ok: false, why: 'ironrun agent is tested on Linux only' };
  if (user === 'nobody' && (!isRoot || !existsSync(setpriv))) {
    return { ok: false, why: 'running as an ordinary user needs root and setpriv' };
  }
  const [file, ...prefix] =
    user === 'nobody' ? [...asNobody, process.execPath] : [process.execPath];
  const run = spawnSync(
    file as string,
    [...prefix, cliPath, 'agent', '--confinement', kind, '--dry-run', '--', 'true'],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' } },
  );
  return { ok: run.status === 0, why: run.stderr.trim() };
}

interface Scene {
  home: TestDir;
  project: TestDir;
  env: Record<string, string>;
  reportPath: string;
  targetsPath: string;
}

const scenes: Scene[] = [];

afterAll(async () => {
  for (const scene of scenes) {
    await scene.project.cleanup();
    await scene.home.cleanup();
  }
});

async function scene(user: User): Promise<Scene> {
  const home = await testdir({
    'vault/secrets.env': { content: `API_TOKEN=${SECRET}\n`, mode: 0o600 },
    '.config/op/config': { content: `{"session":"${OP_SESSION_FILE}"}\n`, mode: 0o600 },
    '.doppler/.doppler.yaml': { content: `token: ${DOPPLER_FILE}\n`, mode: 0o600 },
    '.infisical/infisical-config.json': { content: `{"token":"${INFISICAL_FILE}"}\n`, mode: 0o600 },
  });
  const project = await testdir({
    'ironrun.yml': [
      'version: 1',
      `provider: { name: envfile, path: ${home.path('vault/secrets.env')} }`,
      'commands:',
      '  - id: print',
      '    argv: [./scripts/print.sh]',
      '    env: { API_TOKEN: envfile://API_TOKEN }',
      '  - id: slow',
      `    argv: [./${holdScript}]`,
      '    ttl: 90s',
      '    env: { API_TOKEN: envfile://API_TOKEN }',
      '',
    ].join('\n'),
    'scripts/print.sh': { content: '#!/bin/sh\necho "token is $API_TOKEN"\n', mode: 0o755 },
    [holdScript]: {
      content:
        '#!/bin/sh\necho "holding $API_TOKEN"\ni=0\nwhile [ ! -e release ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\necho released\n',
      mode: 0o755,
    },
  });
  const configDir = home.path('cfg');
  const reportPath = project.path('report.json');
  const targetsPath = project.path('targets.json');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home.dir,
    XDG_CONFIG_HOME: home.path('.config'),
    XDG_STATE_HOME: home.path('state'),
    IRONRUN_CONFIG_DIR: configDir,
    DOPPLER_TOKEN,
    OP_SERVICE_ACCOUNT_TOKEN: OP_TOKEN,
    ATTACK_CONFIG: JSON.stringify({
      cliPath,
      projectDir: project.dir,
      reportPath,
      targetsPath,
      configDir,
      trustDir: join(configDir, 'trust'),
      envfilePath: home.path('vault/secrets.env'),
      policyModule,
      // The providers' declared reference syntax, as core hands it to the policy library.
      providers: builtinProviderReferences,
      secretPaths: [
        home.path('vault/secrets.env'),
        home.path('vault'),
        configDir,
        join(configDir, 'trust'),
        home.path('.config/op'),
        home.path('.doppler'),
        home.path('.infisical'),
      ],
    }),
  };
  const trusted = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
  expect(trusted.code).toBe(0);
  if (user === 'nobody') {
    for (const dir of [home.dir, project.dir]) {
      expect(spawnSync('/bin/chown', ['-R', '65534:65534', dir]).status).toBe(0);
    }
  }
  const created = { home, project, env, reportPath, targetsPath };
  scenes.push(created);
  return created;
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function parentOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.split(' ')[1] ?? '';
  } catch {
    return '';
  }
}

/** Finds, from outside, the sealed child holding the secret and the process holding the credentials. */
/** Whether process `pid` holds the sandbox's verified copy of the file named `name`. */
function runsCopyOf(pid: string, name: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`/memfd:ironrun-verified:${name} `);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

async function findTargets(brokerPid: () => string | undefined): Promise<Record<string, number>> {
  for (let i = 0; i < 600; i++) {
    const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    // The script runs from a verified copy (the shell reads /dev/fd/N), named after it.
    const sealed = pids.find(
      (pid) =>
        cmdline(pid).includes(holdScript) ||
        (cmdline(pid).includes('/dev/fd/') && runsCopyOf(pid, basename(holdScript))),
    );
    const broker = brokerPid();
    if (sealed !== undefined && broker !== undefined)
      return { broker: Number(broker), sealed: Number(sealed) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the sealed command never started');
}

type Report = Record<string, unknown> & {
  inside: boolean;
  crashed?: string;
  files: Record<string, unknown>;
  env: string;
  proc: Record<string, { environ: unknown; memory: unknown }>;
  targets: Record<string, { environ: unknown; memory: unknown; signal: string; ptrace: string }>;
  print: { stdout: string };
  slow: { stdout: string };
  final: { stdout: string };
};

/** Runs the attacker, confined or not, and returns its report. */
async function attack(
  current: Scene,
  options: { confined: boolean; kind: Kind; user: User },
): Promise<Report> {
  const { confined } = options;
  const own = confined
    ? [cliPath, 'agent', '--confinement', options.kind, '--', process.execPath, attacker]
    : [attacker];
  const [file, ...args] =
    options.user === 'nobody'
      ? [...asNobody, process.execPath, ...own]
      : [process.execPath, ...own];
  const child = spawn(file as string, args, {
    cwd: current.project.dir,
    env: current.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const targets = await findTargets(() => {
    if (confined) return String(child.pid);
    // Outside, the credentials sit in the `ironrun mcp` the attacker started.
    return readdirSync('/proc').find(
      (pid) => parentOf(pid) === String(child.pid) && cmdline(pid).includes(`${cliPath} mcp`),
    );
  });
  // Written whole, then renamed: the attacker polls for the file and must never read half of it.
  writeFileSync(`${current.targetsPath}.partial`, JSON.stringify(targets));
  renameSync(`${current.targetsPath}.partial`, current.targetsPath);
  const code = await exited;
  const report = JSON.parse(readFileSync(current.reportPath, 'utf8')) as Report;
  expect(
    report.crashed,
    `the attacker crashed (exit ${code}); stderr has ${stderr.length} chars`,
  ).toBeUndefined();
  expect(code).toBe(0);
  return report;
}

const cases = (['bubblewrap', 'unshare'] as const).flatMap((kind) =>
  (['self', 'nobody'] as const).map((user) => ({
    kind,
    user,
    ...confinementAvailable(kind, user),
  })),
);
for (const skipped of cases.filter((entry) => !entry.ok)) {
  console.log(
    `skipping ironrun agent --confinement ${skipped.kind} as ${skipped.user}: ${skipped.why}`,
  );
}

describe.each(cases)(
  'ironrun agent --confinement $kind -- <hostile agent>, as $user',
  ({ kind, user, ok }) => {
    let inside: Report;
    let outside: Report;

    it.skipIf(!ok)(
      'the hostile agent runs its attacks confined and, as the control, unconfined',
      async () => {
        inside = await attack(await scene(user), { confined: true, kind, user });
        outside = await attack(await scene(user), { confined: false, kind, user });
        expect(inside.inside).toBe(true);
        expect(outside.inside).toBe(false);
      },
      240_000,
    );

    it.skipIf(!ok)(
      'a real MCP client inside lists the tools and gets the redacted result of run_sealed',
      () => {
        expect(inside.tools).toEqual(['list_commands', 'run_sealed']);
        expect(inside.print.stdout).toBe('token is [REDACTED]\n');
        expect(inside.slow.stdout).toBe('holding [REDACTED]\nreleased\n');
        // After every socket attack, the broker still serves.
        expect(inside.final.stdout).toBe('token is [REDACTED]\n');
      },
    );

    it.skipIf(!ok)('nothing the attacker gathered inside holds a secret value in any form', () => {
      expect(leaks(JSON.stringify(inside))).toBe(0);
      // The control gathered most of them: the suite can see a leak.
      expect(leaks(JSON.stringify(outside))).toBeGreaterThanOrEqual(6);
    });

    it.skipIf(!ok)(
      'reading the envfile and every provider credential location yields nothing inside',
      () => {
        for (const [path, content] of Object.entries(inside.files)) {
          expect(shapeOf(content), path).toMatch(/^(empty|error:\w+)$/);
        }
        // Unmounting what covers them, directly or from a user namespace of its own, uncovers nothing.
        expect(leaks(JSON.stringify(inside.uncovered))).toBe(0);
        expect(holds(outside.uncovered, SECRET)).toBe(true);
        const [envfile, , , , op, doppler, infisical] = Object.values(outside.files);
        expect(holds(envfile, SECRET)).toBe(true);
        expect(holds(op, OP_SESSION_FILE)).toBe(true);
        expect(holds(doppler, DOPPLER_FILE)).toBe(true);
        expect(holds(infisical, INFISICAL_FILE)).toBe(true);
      },
    );

    it.skipIf(!ok)(
      'run as root, the agent holds no capability: mounting over a cover, unmounting one or binding the envfile folder fails and the envfile reads empty',
      () => {
        expect(inside.capabilities).toBe('0000000000000000');
        expect(inside.remount).not.toMatch(
          /mounted-over-cover|unmounted-envfile-cover|bound-envfile-folder/,
        );
        expect(leaks(String(inside.remount))).toBe(0);
        if (isRoot && user === 'self') {
          // The control: root outside holds capabilities, and the same script mounts and reads the secret.
          expect(outside.capabilities).not.toBe('0000000000000000');
          expect(outside.remount).toMatch(/mounted-over-cover/);
          expect(holds(outside.remount, SECRET)).toBe(true);
        }
      },
    );

    it.skipIf(!ok)('the credential variables are gone from the agent environment inside', () => {
      expect(holds(inside.env, DOPPLER_TOKEN) || holds(inside.env, OP_TOKEN)).toBe(false);
      expect(holds(outside.env, DOPPLER_TOKEN) && holds(outside.env, OP_TOKEN)).toBe(true);
    });

    it.skipIf(!ok)(
      'scanning /proc/*/environ and /proc/*/mem finds neither the sealed child nor the broker inside',
      () => {
        expect(leaks(JSON.stringify(inside.proc))).toBe(0);
        for (const target of Object.values(inside.targets)) {
          expect(String(target.environ)).toMatch(/^error:/);
          expect(String(target.memory)).toMatch(/^error:/);
        }
        expect(holds(outside.proc, SECRET)).toBe(true);
        expect(holds(outside.targets.sealed?.environ, SECRET)).toBe(true);
        expect(holds(outside.targets.broker?.environ, DOPPLER_TOKEN)).toBe(true);
      },
    );

    it.skipIf(!ok)('ptrace and signals cannot reach the broker or the sealed child inside', () => {
      for (const target of Object.values(inside.targets)) {
        expect(target.signal).toBe('error:ESRCH');
        expect(target.ptrace).toMatch(/^error:|^skipped/);
      }
      expect(outside.targets.sealed?.signal).toBe('delivered');
      expect(outside.targets.broker?.signal).toBe('delivered');
      if (!String(outside.targets.sealed?.ptrace).startsWith('skipped')) {
        expect(outside.targets.sealed?.ptrace).toBe('attached');
      }
    });

    it.skipIf(!ok)('writing or forging a trust record gives no trusted evil command inside', () => {
      expect(inside.trustWrite).toMatch(/^error:/);
      expect(inside.trustForgeLibrary).toMatch(/^error:/);
      const evil = inside.evilRun as { status: number; stdout: string; stderr: string };
      expect(evil.status).not.toBe(0);
      expect(evil.stderr).toMatch(/not trusted|TRUST/i);
      expect(outside.trustWrite).toBe('written');
      expect(outside.trustForgeLibrary).toBe('trusted');
      expect(holds(outside.evilRun, reversedSecret)).toBe(true);
    });

    it.skipIf(!ok)(
      'ironrun trust --yes is refused inside, with and without a pseudo-terminal, and trusts nothing',
      () => {
        for (const key of ['trustNoTty', 'trustPty', 'trustDefaultDir']) {
          const run = inside[key] as { status: number };
          expect(run.status, key).toBe(6);
        }
        expect(JSON.stringify(inside.trustNoTty)).toMatch(/outside/);
        const ownConfig = inside.evilRunOwnConfig as { status: number; stdout: string };
        expect(ownConfig.status).not.toBe(0);
        // Outside, a pseudo-terminal is enough to trust into a folder of one's own and run the evil command.
        expect((outside.trustPty as { status: number }).status).toBe(0);
        expect(holds(outside.evilRunOwnConfig, reversedSecret)).toBe(true);
      },
    );

    it.skipIf(!ok)(
      'crafted, oversized and out-of-order socket messages get errors, never a crash or a secret',
      () => {
        const socket = inside.socket as Record<string, { closed: boolean; received: string }>;
        for (const name of ['garbage', 'oversized', 'beforeHello', 'forgedField', 'notJson']) {
          expect(socket[name]?.closed, name).toBe(true);
          expect(socket[name]?.received, name).toMatch(/"type":"error"/);
        }
        expect(socket.cancelOthers?.received).not.toMatch(/"type":"error"/);
        expect(socket.evilThroughSocket?.received).toMatch(/TRUST_UNTRUSTED/);
        // Outside there is no broker: the attacker had no socket to attack, and needed none.
        expect(outside.socket).toBe('no broker socket outside');
      },
    );
  },
);
