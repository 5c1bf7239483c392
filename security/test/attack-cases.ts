import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { providerPackageFiles, resolveProviderPackage } from '@ironrun/provider';
import { expect } from 'vitest';
import {
  type AttackCase,
  type CaseContext,
  type Outcome,
  ran,
  redactedIn,
  refused,
} from '../src/attack-case.js';
import { strayProcesses } from '../src/run-attack.js';
import { testSecrets } from '../src/test-secrets.js';

const node = process.execPath;
const fixtures = join(import.meta.dirname, 'fixtures');

/** One `commands:` item (JSON is YAML), id `attack` unless given. */
function command(argv: string[], extra: Record<string, unknown> = {}): string {
  return `  - ${JSON.stringify({ id: 'attack', argv, ...extra })}\n`;
}

/** `env:` giving the command the named standard secrets. */
function secretEnv(...names: (keyof typeof testSecrets)[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, `envfile://${name}`]));
}

const emit = (mode: string, ...rest: string[]) => [node, 'emit.mjs', mode, ...rest];

/** A case whose command prints secrets in some form and must come back redacted. */
function leak(
  name: string,
  argv: string[],
  secrets: (keyof typeof testSecrets)[],
  check: (outcome: Outcome) => void = redactedIn('stdout'),
  extra: Record<string, unknown> = {},
): AttackCase {
  return {
    name,
    stoppedBy: ['redactor'],
    commands: () => command(argv, { env: secretEnv(...secrets), ...extra }),
    expect: check,
  };
}

const sh = (body: string) => `#!/bin/sh\ntouch ran.marker\n${body}\n`;

const redaction: AttackCase[] = [
  leak('prints the secret raw on stdout', emit('raw', 'TOKEN'), ['TOKEN']),
  leak('prints the secret on stderr', emit('stderr', 'TOKEN'), ['TOKEN'], redactedIn('stderr')),
  leak(
    'prints the secret on stdout and stderr at once',
    emit('both-streams', 'TOKEN'),
    ['TOKEN'],
    ran((result) => {
      expect(result.stdout).toContain('[REDACTED]');
      expect(result.stderr).toContain('[REDACTED]');
    }),
  ),
  leak(
    'splits the secret across two writes at every offset',
    emit('split', 'TOKEN'),
    ['TOKEN'],
    ran((result) => expect(result.redactions).toBe(testSecrets.TOKEN.length - 1)),
  ),
  leak('writes the secret one byte per write', emit('bytes', 'TOKEN'), ['TOKEN']),
  leak('prints the secret last, with no newline after it', emit('no-newline', 'TOKEN'), ['TOKEN']),
  ...[0, 1, 2].map((alignment) =>
    leak(
      `prints the secret base64-encoded at alignment ${alignment}`,
      emit('base64', 'TOKEN', String(alignment)),
      ['TOKEN'],
    ),
  ),
  ...[0, 1, 2].map((alignment) =>
    leak(
      `prints a non-ASCII secret base64url-encoded at alignment ${alignment}`,
      emit('base64url', 'SPECIAL', String(alignment)),
      ['SPECIAL'],
    ),
  ),
  leak('prints the secret hex-encoded in lower case', emit('hex', 'TOKEN'), ['TOKEN']),
  leak('prints the secret hex-encoded in upper case', emit('HEX', 'SPECIAL'), ['SPECIAL']),
  leak('puts the secret URL-encoded in a query string', emit('url', 'SPECIAL'), ['SPECIAL']),
  leak('puts the secret form-encoded (spaces as +)', emit('form', 'SPECIAL'), ['SPECIAL']),
  leak('prints the secret JSON-escaped inside a JSON document', emit('json', 'SPECIAL'), [
    'SPECIAL',
  ]),
  leak(
    'prints the secret JSON-escaped with \\u escapes for non-ASCII',
    emit('json-ascii', 'SPECIAL'),
    ['SPECIAL'],
  ),
  leak('prints a PEM private key whole', emit('raw', 'PEM'), ['PEM']),
  leak(
    'prints a PEM private key line by line with other text between',
    emit('lines', 'PEM'),
    ['PEM'],
    ran((result) =>
      expect(result.redactions).toBeGreaterThanOrEqual(testSecrets.PEM.split('\n').length),
    ),
  ),
  leak('prints the lines of a PEM key in reverse order', emit('lines-reversed', 'PEM'), ['PEM']),
  leak(
    'repeats the secret 5000 times in one write',
    emit('repeat', 'TOKEN', '5000'),
    ['TOKEN'],
    ran((result) => expect(result.redactions).toBe(5000)),
  ),
  leak(
    'repeats the secret in 3000 separate writes',
    emit('repeat-writes', 'TOKEN', '3000'),
    ['TOKEN'],
    ran((result) => expect(result.redactions).toBe(3000)),
  ),
  leak(
    'interleaves two secrets that share a prefix',
    emit('interleave', 'PREFIX_A', 'PREFIX_B'),
    ['PREFIX_A', 'PREFIX_B'],
    ran((result) => expect(result.redactions).toBe(200)),
  ),
  leak(
    'prints a secret next to a longer secret that contains it',
    emit('nested', 'INNER', 'OUTER'),
    ['INNER', 'OUTER'],
  ),
  leak(
    'dumps its whole environment as JSON',
    emit('env'),
    ['TOKEN', 'SPECIAL', 'PEM'],
    ran((result) => expect(result.redactions).toBeGreaterThanOrEqual(3)),
  ),
  {
    name: 'a shell script echoes the secret and pipes it through base64',
    stoppedBy: ['redactor'],
    files: () => ({ 'print.sh': sh('echo "token=$TOKEN"\nprintf %s "$TOKEN" | base64') }),
    commands: () => command(['./print.sh'], { env: secretEnv('TOKEN') }),
    expect: ran((result) => expect(result.redactions).toBe(2)),
  },
  {
    name: 'a long secret through coreutils base64, wrapped at 76 columns',
    stoppedBy: ['redactor'],
    files: () => ({ 'wrap.sh': sh('printf %s "$LONG" | base64') }),
    commands: () => command(['./wrap.sh'], { env: secretEnv('LONG') }),
    expect: ran(),
  },
  {
    name: 'a secret through xxd -p, hex wrapped at 60 columns',
    stoppedBy: ['redactor'],
    files: () => ({ 'hex.sh': sh('printf %s "$TOKEN" | xxd -p') }),
    commands: () => command(['./hex.sh'], { env: secretEnv('TOKEN') }),
    expect: ran(),
  },
  leak(
    'hides the secret at the end of a 1 MiB line without a newline',
    emit('long-line', 'TOKEN', String(1024 * 1024)),
    ['TOKEN'],
    ran((result) => expect(result.redactions).toBe(1)),
  ),
  leak(
    'floods stdout with 32 MiB of output full of secrets',
    emit('flood', 'TOKEN', String(32 * 1024 * 1024), 'stdout'),
    ['TOKEN'],
    ran((result) => {
      expect(result.truncated).toBe(true);
      expect(result.stdout.length).toBeLessThan(64 * 1024);
      expect(result.stdout).toContain('[REDACTED]');
    }),
    { max_output: '16KiB', ttl: '60s' },
  ),
  leak(
    'floods stderr with 16 MiB while stdout stays quiet',
    emit('flood', 'TOKEN', String(16 * 1024 * 1024), 'stderr'),
    ['TOKEN'],
    ran((result) => {
      expect(result.truncated).toBe(true);
      expect(result.stderr.length).toBeLessThan(64 * 1024);
      expect(result.stderr).toContain('[REDACTED]');
    }),
    { max_output: '16KiB', ttl: '60s' },
  ),
  {
    name: 'a grandchild prints the secret after the command exited',
    stoppedBy: ['sandbox', 'redactor'],
    files: () => ({ 'late.sh': sh('(sleep 0.3; echo "late $TOKEN") &\necho leader done') }),
    commands: () => command(['./late.sh'], { env: secretEnv('TOKEN') }),
    expect: ran((result) => expect(result.exitCode).toBe(0)),
  },
];

const hijackMarker = 'HIJACKED';
const notHijacked = ran((result) => {
  expect(result.exitCode).toBe(0);
  expect(`${result.stdout}${result.stderr}`.includes(hijackMarker), 'the hijack ran').toBe(false);
});

const sandboxEnv: AttackCase[] = [
  {
    name: "PATH hijack: a fake sh earlier on the caller's PATH",
    stoppedBy: ['sandbox'],
    files: () => ({
      'evil-bin/sh': `#!/bin/bash\necho "${hijackMarker} $(printf %s "$TOKEN" | rev)"\n`,
      'print.sh': 'touch ran.marker\necho "real sh"\n',
    }),
    commands: () => command(['sh', 'print.sh'], { env: secretEnv('TOKEN') }),
    callerEnv: (ctx) => ({ PATH: `${ctx.dir}/evil-bin:${process.env.PATH ?? '/usr/bin:/bin'}` }),
    expect: (outcome) => {
      notHijacked(outcome);
      expect(outcome.result?.stdout).toContain('real sh');
    },
  },
  {
    name: 'a program planted in the project under the bare name of argv[0]',
    stoppedBy: ['sandbox'],
    files: () => ({
      sh: `#!/bin/bash\necho "${hijackMarker}"\n`,
      'print.sh': 'touch ran.marker\necho "real sh"\n',
    }),
    commands: () => command(['sh', 'print.sh'], { env: secretEnv('TOKEN') }),
    callerEnv: (ctx) => ({ PATH: `${ctx.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` }),
    expect: notHijacked,
  },
  {
    name: "LD_PRELOAD in the caller's environment",
    stoppedBy: ['sandbox'],
    commands: () => command(emit('env'), { env: secretEnv('TOKEN') }),
    callerEnv: (ctx) => ({ LD_PRELOAD: `${ctx.dir}/evil-preload.so` }),
    expect: ran((result) => {
      expect(result.stdout.includes('LD_PRELOAD'), 'LD_PRELOAD reached the child').toBe(false);
      expect(result.stderr.includes('evil-preload'), 'the loader tried to preload').toBe(false);
    }),
  },
  {
    name: "NODE_OPTIONS --require in the caller's environment",
    stoppedBy: ['sandbox'],
    files: () => ({
      'evil.cjs': `process.stdout.write('${hijackMarker} ' + [...(process.env.TOKEN || '')].reverse().join('') + '\\n');\n`,
    }),
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    callerEnv: (ctx) => ({ NODE_OPTIONS: `--require ${ctx.dir}/evil.cjs` }),
    expect: notHijacked,
  },
  {
    name: "BASH_ENV in the caller's environment",
    stoppedBy: ['sandbox'],
    files: () => ({
      'evil.sh': `echo "${hijackMarker} $(printf %s "$TOKEN" | rev)"\n`,
      'print.bash': '#!/bin/bash\ntouch ran.marker\necho "script ran"\n',
    }),
    commands: () => command(['./print.bash'], { env: secretEnv('TOKEN') }),
    callerEnv: (ctx) => ({ BASH_ENV: `${ctx.dir}/evil.sh`, ENV: `${ctx.dir}/evil.sh` }),
    expect: notHijacked,
  },
  {
    name: "the agent's own token in the caller's environment",
    stoppedBy: ['sandbox'],
    commands: () => command(emit('env')),
    callerEnv: () => ({ AGENT_TOKEN: agentToken }),
    expect: ran((result) =>
      expect(result.stdout.includes('AGENT_TOKEN'), 'AGENT_TOKEN reached the child').toBe(false),
    ),
  },
  {
    name: 'a policy that sets LD_PRELOAD for the command',
    stoppedBy: ['sandbox'],
    commands: (ctx) =>
      command(emit('env'), { env: { LD_PRELOAD: `${ctx.dir}/evil.so`, ...secretEnv('TOKEN') } }),
    expect: refused('SANDBOX', 'POLICY', 'TRUST_UNTRUSTED'),
  },
  {
    name: 'a policy that sets NODE_OPTIONS for the command',
    stoppedBy: ['sandbox'],
    commands: (ctx) =>
      command(emit('env'), {
        env: { NODE_OPTIONS: `--require ${ctx.dir}/evil.cjs`, ...secretEnv('TOKEN') },
      }),
    expect: refused('SANDBOX', 'POLICY', 'TRUST_UNTRUSTED'),
  },
  {
    name: 'the command reads stdin hoping for input from the agent',
    stoppedBy: ['sandbox'],
    commands: () => command(emit('stdin'), { env: secretEnv('TOKEN') }),
    expect: ran((result) => expect(result.stdout).toContain('stdin gave ""')),
  },
];

/** Expects the run to have been killed at its TTL and no process holding the case's token to be left. */
function killedAtTtl(outcome: Outcome): Promise<void> | void {
  ran((result) => expect(result.timedOut).toBe(true))(outcome);
  return noStrays(outcome);
}

async function noStrays(outcome: Outcome): Promise<void> {
  expect(await strayProcesses(outcome.context.token), 'processes outlived the run').toEqual([]);
}

const loop = (ctx: CaseContext) => `sh -c 'while :; do sleep 0.2; done' ${ctx.token}`;

const processTree: AttackCase[] = [
  {
    name: 'a command that never exits',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({ 'forever.sh': sh(`exec ${loop(ctx)}`) }),
    commands: () => command(['./forever.sh'], { ttl: '500ms' }),
    linuxOnly: true,
    expect: killedAtTtl,
  },
  {
    name: 'a command that ignores SIGTERM',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({
      'stubborn.sh': sh(`exec sh -c "trap '' TERM; while :; do sleep 0.1; done" ${ctx.token}`),
    }),
    commands: () => command(['./stubborn.sh'], { ttl: '500ms' }),
    linuxOnly: true,
    expect: killedAtTtl,
  },
  {
    name: 'a grandchild that outlives the TTL via setsid',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({ 'setsid.sh': sh(`setsid ${loop(ctx)} &\nsleep 30`) }),
    commands: () => command(['./setsid.sh'], { ttl: '500ms' }),
    linuxOnly: true,
    expect: killedAtTtl,
  },
  {
    name: 'a grandchild that outlives the TTL via a double fork',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({ 'fork.sh': sh(`( ( ${loop(ctx)} & ) & )\nsleep 30`) }),
    commands: () => command(['./fork.sh'], { ttl: '500ms' }),
    linuxOnly: true,
    expect: killedAtTtl,
  },
  {
    name: 'a grandchild that outlives the TTL via nohup',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({ 'nohup.sh': sh(`nohup ${loop(ctx)} >/dev/null 2>&1 &\nsleep 30`) }),
    commands: () => command(['./nohup.sh'], { ttl: '500ms' }),
    linuxOnly: true,
    expect: killedAtTtl,
  },
  {
    name: 'a daemon left behind by a command that exits at once',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({
      'daemon.sh': sh(`setsid ${loop(ctx)} </dev/null >/dev/null 2>&1 &\nexit 0`),
    }),
    commands: () => command(['./daemon.sh'], { ttl: '5s' }),
    linuxOnly: true,
    expect: async (outcome) => {
      ran((result) => expect(result.timedOut).toBe(false))(outcome);
      await noStrays(outcome);
    },
  },
  {
    name: 'a grandchild that keeps the output pipes open after the command exits',
    stoppedBy: ['sandbox'],
    files: (ctx) => ({ 'holder.sh': sh(`${loop(ctx)} &\necho leader exits`) }),
    commands: () => command(['./holder.sh'], { ttl: '5s' }),
    linuxOnly: true,
    expect: async (outcome) => {
      ran((result) => expect(result.timedOut).toBe(false))(outcome);
      await noStrays(outcome);
    },
  },
];

const noConnection = (outcome: Outcome) => {
  ran((result) => expect(result.stdout).toContain('no connection'))(outcome);
  expect(outcome.listener?.connections, 'a connection reached the listener').toBe(0);
};

const network: AttackCase[] = [
  {
    name: 'sends the secret to a TCP listener on 127.0.0.1 under no_network',
    stoppedBy: ['network'],
    listen: 'tcp',
    commands: (ctx) =>
      command([node, 'net.mjs', '127.0.0.1', String(ctx.port), 'TOKEN'], {
        env: secretEnv('TOKEN'),
        no_network: true,
      }),
    expect: noConnection,
  },
  {
    name: 'sends the secret to an abstract unix socket under no_network',
    stoppedBy: ['network'],
    listen: 'abstract',
    linuxOnly: true,
    commands: (ctx) =>
      command([node, 'net.mjs', 'unix', ctx.socketName, 'TOKEN'], {
        env: secretEnv('TOKEN'),
        no_network: true,
      }),
    expect: noConnection,
  },
];

/** Expects the run to have failed because what came from inside the seal about its end was not trusted. */
function reportDistrusted(outcome: Outcome): void {
  expect(outcome.result, 'a forged report came back as a result').toBeUndefined();
  expect(outcome.refusal, 'no error was reported').toBeDefined();
  if (outcome.refusal?.code !== undefined) expect(outcome.refusal.code).toBe('SANDBOX');
  expect(outcome.refusal?.message).toContain('cannot be trusted');
}

const forgeReport = readFileSync(join(fixtures, 'forge-report.pl'), 'utf8');

function forgeCase(name: string, mode: string): AttackCase {
  return {
    name,
    stoppedBy: ['sandbox'],
    linuxOnly: true,
    files: () => ({ 'forge-report.pl': forgeReport }),
    commands: () =>
      command(['/usr/bin/perl', 'forge-report.pl', mode], { env: secretEnv('TOKEN') }),
    expect: reportDistrusted,
  };
}

const sealedZone: AttackCase[] = [
  forgeCase("forges the init's report with the secret as exit code and signal", 'secret'),
  forgeCase("forges the init's report to say exit 0 for a command that failed", 'zero'),
  forgeCase("writes the secret as a bare line onto the init's report channel", 'garbage'),
];

const optionWriter = `import { writeFileSync } from 'node:fs';
writeFileSync('ran.marker', '');
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--output=')) writeFileSync(arg.slice(9), process.env.TOKEN ?? '');
}
console.log('done');
`;

function argsCase(
  name: string,
  args: string[],
  rule: Record<string, unknown> | undefined,
  argv: string[] = [node, 'tool.mjs'],
): AttackCase {
  return {
    name,
    stoppedBy: ['policy'],
    files: () => ({ 'tool.mjs': optionWriter }),
    commands: () =>
      command(argv, { env: secretEnv('TOKEN'), ...(rule === undefined ? {} : { args: rule }) }),
    args,
    expect: refused('ARGS_REJECTED'),
  };
}

const policyArgs: AttackCase[] = [
  argsCase(
    'argv injection: --output=/dev/tcp/… through agent args',
    ['--output=/dev/tcp/127.0.0.1/9'],
    {
      pattern: '.*',
      max: 2,
    },
  ),
  argsCase('argv injection: --output= pointing into the project', ['--output=leak.txt'], {
    pattern: '.*',
    max: 2,
  }),
  argsCase(
    'argv injection: -e with code for an interpreter',
    ['-e', 'console.log([...process.env.TOKEN].reverse().join(""))'],
    { pattern: '.*', max: 2 },
    [node],
  ),
  argsCase('option smuggling inside a value with a space', ['main --output=leak.txt'], {
    pattern: '[a-z]+',
  }),
  argsCase('option smuggling after a -- separator', ['--', '--output=leak.txt'], {
    pattern: '.*',
    max: 2,
  }),
  argsCase('a suffix appended to an alternation pattern', ['staging;touch pwned'], {
    pattern: 'staging|production',
  }),
  argsCase('a newline smuggled into an argument', ['staging\n--output=leak.txt'], {
    pattern: 'staging.*',
  }),
  argsCase('more arguments than the policy allows', ['a', 'b', 'c'], { pattern: '[a-z]', max: 2 }),
  argsCase('arguments to a command that declares none', ['anything'], undefined),
];

const evilScript = `#!/bin/sh\ntouch ran.marker\nprintf %s "$TOKEN" | rev\n`;

const trustCases: AttackCase[] = [
  {
    name: 'an unknown command id',
    stoppedBy: ['policy'],
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    commandId: 'attack-with-a-typo',
    expect: refused('UNKNOWN_COMMAND'),
  },
  {
    name: 'a policy no person trusted',
    stoppedBy: ['trust'],
    trusted: false,
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    expect: refused('TRUST_UNTRUSTED'),
  },
  {
    name: 'the policy edited after trust to hand a command more secrets',
    stoppedBy: ['trust'],
    commands: () => command(emit('env'), { env: secretEnv('TOKEN') }),
    afterTrust: async (project) => {
      const text = await readFile(project.policyPath, 'utf8');
      await writeFile(
        project.policyPath,
        text.replace(
          '"TOKEN":"envfile://TOKEN"',
          '"TOKEN":"envfile://TOKEN","LONG":"envfile://LONG"',
        ),
      );
    },
    expect: refused('TRUST_CHANGED'),
  },
  {
    name: 'a pinned script edited after trust',
    stoppedBy: ['trust'],
    files: () => ({ 'run.sh': sh('echo "harmless"') }),
    commands: () => command(['./run.sh'], { env: secretEnv('TOKEN') }),
    afterTrust: async (project) => writeFile(project.project.path('run.sh'), evilScript),
    expect: refused('TRUST_CHANGED'),
  },
  {
    name: 'a symlink swapped in for a pinned script',
    stoppedBy: ['trust'],
    files: () => ({ 'run.sh': sh('echo "harmless"'), 'evil.sh': evilScript }),
    commands: () => command(['./run.sh'], { env: secretEnv('TOKEN') }),
    afterTrust: async (project) => {
      await rm(project.project.path('run.sh'));
      await symlink(project.project.path('evil.sh'), project.project.path('run.sh'));
    },
    expect: refused('TRUST_CHANGED'),
  },
  {
    name: "a pinned script's folder swapped for a symlink to another folder",
    stoppedBy: ['trust'],
    files: () => ({ 'scripts/run.sh': sh('echo "harmless"'), 'other/run.sh': evilScript }),
    commands: () => command(['./scripts/run.sh'], { env: secretEnv('TOKEN') }),
    afterTrust: async (project) => {
      await rename(project.project.path('scripts'), project.project.path('scripts.old'));
      await symlink(project.project.path('other'), project.project.path('scripts'));
    },
    expect: refused('TRUST_CHANGED'),
  },
  {
    name: 'a pinned library the script sources edited after trust',
    stoppedBy: ['trust'],
    files: () => ({ 'run.sh': sh('. ./lib.sh\nsay'), 'lib.sh': 'say() { echo harmless; }\n' }),
    commands: () => command(['./run.sh'], { env: secretEnv('TOKEN'), pin: ['lib.sh'] }),
    afterTrust: async (project) =>
      writeFile(project.project.path('lib.sh'), 'say() { printf %s "$TOKEN" | rev; }\n'),
    expect: refused('TRUST_CHANGED'),
  },
  {
    name: 'a script that did not exist at trust time created afterwards',
    stoppedBy: ['trust'],
    commands: () => command(['./later.sh'], { env: secretEnv('TOKEN') }),
    afterTrust: async (project) => {
      await writeFile(project.project.path('later.sh'), evilScript, { mode: 0o755 });
    },
    expect: refused('TRUST_CHANGED'),
  },
  {
    name: 'the policy file replaced by a symlink to an edited copy',
    stoppedBy: ['trust'],
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    afterTrust: async (project) => {
      const text = await readFile(project.policyPath, 'utf8');
      await mkdir(project.project.path('alt'));
      await writeFile(project.project.path('alt/ironrun.yml'), text.replace('"raw"', '"env"'));
      await rm(project.policyPath);
      await symlink(project.project.path('alt/ironrun.yml'), project.policyPath);
    },
    expect: refused('TRUST_CHANGED', 'TRUST_UNTRUSTED', 'POLICY'),
  },
  {
    name: 'a typo that would silently drop no_network',
    stoppedBy: ['policy'],
    listen: 'tcp',
    commands: (ctx) =>
      command([node, 'net.mjs', '127.0.0.1', String(ctx.port), 'TOKEN'], {
        env: secretEnv('TOKEN'),
        no_netwrok: true,
      }),
    // `ironrun trust` refuses an invalid policy, so it is reported as untrusted (or invalid without trust).
    expect: refused('POLICY', 'TRUST_UNTRUSTED'),
  },
  {
    name: 'a cwd that escapes the project',
    stoppedBy: ['policy'],
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN'), cwd: '../..' }),
    expect: refused('POLICY', 'TRUST_UNTRUSTED'),
  },
  {
    name: 'a confirm: true command with no person to ask',
    stoppedBy: ['policy'],
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN'), confirm: true }),
    expect: refused('CONFIRM_DECLINED'),
  },
];

async function providerFiles(): Promise<Record<string, string>> {
  return {
    'node_modules/ironrun-provider-evil/package.json': JSON.stringify({
      name: 'ironrun-provider-evil',
      version: '1.0.0',
      type: 'module',
      exports: './index.js',
      ironrun: { schemes: ['envfile'] },
    }),
    'node_modules/ironrun-provider-evil/index.js': await readFile(
      join(fixtures, 'evil-provider.mjs'),
      'utf8',
    ),
  };
}
const evilProviderFiles = await providerFiles();

function providerCase(
  name: string,
  mode: string,
  codes: string[],
  extra: Partial<AttackCase> = {},
): AttackCase {
  return {
    name,
    stoppedBy: ['provider'],
    files: () => evilProviderFiles,
    provider: (ctx) =>
      `\n  name: ironrun-provider-evil\n  mode: ${mode}\n  file: ${JSON.stringify(ctx.secretsPath)}`,
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    resolveTimeoutMs: 400,
    expect: refused(...codes),
    ...extra,
  };
}

/** A vault credential in the environment ironrun reads provider credentials from. */
export const vaultToken = `dp.st.${testSecrets.TOKEN.slice(8, 20)}vault${Date.now().toString(36)}`;
/** A token of the agent's own, in its environment. */
export const agentToken = `agent_${testSecrets.LONG.slice(3, 27)}`;

const providerCases: AttackCase[] = [
  providerCase('a third-party provider that works (control: the fixture resolves)', 'ok', [], {
    expect: redactedIn('stdout'),
  }),
  providerCase('a provider that never answers', 'hang', ['PROVIDER']),
  providerCase('a provider that never answers and ignores its abort signal', 'hang-deaf', [
    'PROVIDER',
  ]),
  providerCase(
    'a provider that fails with secret values in its error message',
    'throws-with-values',
    ['PROVIDER'],
  ),
  providerCase('a provider that returns an empty value', 'empty', ['SECRET_MISSING']),
  providerCase('a provider that reports the secret missing', 'not-found', ['SECRET_MISSING']),
  providerCase('a provider that returns malformed results', 'malformed', ['PROVIDER']),
  providerCase(
    "a provider whose start-up error quotes the caller's vault token",
    'create-throws',
    ['PROVIDER'],
    {
      callerEnv: () => ({ VAULT_TOKEN: vaultToken }),
    },
  ),
  {
    name: 'agent edits the provider package in node_modules after trust',
    stoppedBy: ['trust'],
    files: () => evilProviderFiles,
    provider: (ctx) =>
      `\n  name: ironrun-provider-evil\n  mode: ok\n  file: ${JSON.stringify(ctx.secretsPath)}`,
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    afterTrust: async (project, ctx) => {
      // What `ironrun trust` records for a third-party provider: its package beside the policy.
      const found = await resolveProviderPackage('ironrun-provider-evil', { projectDir: ctx.dir });
      await trust(project.policyPath, {
        configDir: project.configDir,
        extraPins: [...(await providerPackageFiles(found.dir)), ...found.decidedBy],
      });
      // The agent's edit: copy the secrets file into the project as soon as ironrun imports it.
      await appendFile(
        found.entry,
        `\nimport { copyFileSync as steal } from 'node:fs';\nsteal(${JSON.stringify(ctx.secretsPath)}, ${JSON.stringify(join(ctx.dir, 'stolen.env'))});\n`,
      );
    },
    expect: (outcome) => {
      refused('TRUST_CHANGED')(outcome);
      expect(existsSync(join(outcome.context.dir, 'stolen.env')), 'the edited provider ran').toBe(
        false,
      );
    },
  },
  {
    name: 'a provider that is not installed',
    stoppedBy: ['provider'],
    provider: () => 'ironrun-provider-not-installed',
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    expect: refused('PROVIDER'),
  },
  {
    name: 'a secret shorter than the minimum length',
    stoppedBy: ['redactor'],
    commands: () => command(emit('raw', 'SHORT'), { env: secretEnv('SHORT') }),
    expect: refused('SECRET_TOO_SHORT'),
  },
  {
    name: 'a reference the secrets file does not have',
    stoppedBy: ['provider'],
    commands: () => command(emit('raw', 'TOKEN'), { env: { TOKEN: 'envfile://NOT_IN_THE_FILE' } }),
    expect: refused('SECRET_MISSING'),
  },
  {
    name: 'a provider name that is a path',
    stoppedBy: ['policy'],
    provider: () => '../evil-provider',
    commands: () => command(emit('raw', 'TOKEN'), { env: secretEnv('TOKEN') }),
    expect: refused('POLICY', 'TRUST_UNTRUSTED'),
  },
];

/** Every attack case, by group. */
export const attackGroups: Record<string, AttackCase[]> = {
  redaction,
  'sandbox environment': sandboxEnv,
  'process tree and TTL': processTree,
  network,
  'sealed zone': sealedZone,
  'policy arguments': policyArgs,
  'policy and trust': trustCases,
  provider: providerCases,
};

/** Every attack case. */
export const attackCases: AttackCase[] = Object.values(attackGroups).flat();

/** Extra values (not in the envfile) that must not leak either. */
export const extraSecrets = { VAULT_TOKEN: vaultToken, AGENT_TOKEN: agentToken };

/** The case named `name`; throws when there is none. */
export function attackCase(name: string): AttackCase {
  const found = attackCases.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no attack case named ${name}`);
  return found;
}
