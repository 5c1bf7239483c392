import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trust } from '@ironrun/policy';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runIronrun, runProcess } from './cli-process.js';
import {
  brokenGuardHooks,
  type GuardedProject,
  guardEntry,
  guardedProject,
  runHookCommand,
} from './hook-fixture.js';

// The hook exactly as `init` writes it into .claude/settings.json, run the
// way Claude Code runs a command hook: `sh -c <command>` with the hook JSON
// on stdin. Claude Code blocks a tool call on exit 2 or on the deny JSON
// with exit 0; any other exit code lets the call through.
const secret = 'sk_test_failclosed_0123456789';

let fixture: GuardedProject;
let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let hookCommand: string;

function runHook(command: string, input: string, extraEnv: Record<string, string> = {}) {
  return runHookCommand(command, input, {
    cwd: project.dir,
    env: { ...env, CLAUDE_PROJECT_DIR: project.dir, ...extraEnv },
  });
}

const hookInput = (command: string) =>
  JSON.stringify({
    session_id: 's',
    transcript_path: '/tmp/t.jsonl',
    cwd: project.dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command },
  });

/** Whether Claude Code would block the call: exit 2, or exit 0 with the deny JSON. */
function blocks(run: { code: number | null; stdout: string }): boolean {
  if (run.code === 2) return true;
  if (run.code !== 0 || run.stdout === '') return false;
  const parsed = JSON.parse(run.stdout) as {
    hookSpecificOutput?: { permissionDecision?: string };
  };
  return parsed.hookSpecificOutput?.permissionDecision === 'deny';
}

beforeAll(async () => {
  fixture = await guardedProject({ secret });
  ({ home, project, env } = fixture);
  const init = await runIronrun(['init', '--agents', 'claude'], { cwd: project.dir, env });
  expect(init.code).toBe(0);
  const settings = JSON.parse(await readFile(project.path('.claude/settings.json'), 'utf8')) as {
    hooks: { PreToolUse: { hooks: { command: string }[] }[] };
  };
  hookCommand = settings.hooks.PreToolUse[0]?.hooks[0]?.command ?? '';
});

afterAll(() => fixture.cleanup());

describe('the guard hook init installs for Claude Code', () => {
  it('is installed by default and runs the installed guard directly, never through npx', () => {
    expect(hookCommand).toContain(guardEntry);
    expect(hookCommand).not.toMatch(/npx|pnpx|bunx/);
    expect(hookCommand).toMatch(/exit 2; }$/);
  });

  it('denies a read of the envfile and lets `git status` through', async () => {
    const denied = await runHook(hookCommand, hookInput('cat ~/secrets/demo.env'));
    expect(denied.code).toBe(0);
    expect(blocks(denied)).toBe(true);
    expect(denied.stdout + denied.stderr).not.toContain(secret);
    const allowed = await runHook(hookCommand, hookInput('git status'));
    expect(allowed).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('still blocks every tool call when the guard file is missing or broken, or node is missing', async () => {
    for (const broken of await brokenGuardHooks(hookCommand, guardEntry, home.dir)) {
      const run = await runHook(broken.command, hookInput('git status'));
      expect(run.code, broken.what).toBe(2);
      expect(run.stderr, broken.what).toMatch(/ironrun guard could not run|fails closed/);
    }
  });

  it('still blocks when the guard loads but its modules do not (a half-installed package)', async () => {
    // The real entry, copied without the package around it: its `yaml` import fails on a cache miss.
    const lonely = join(home.dir, 'lonely', 'guard.cjs');
    await mkdir(join(home.dir, 'lonely'), { recursive: true });
    await copyFile(guardEntry, lonely);
    await chmod(lonely, 0o755);
    const run = await runHook(hookCommand.replace(guardEntry, lonely), hookInput('git status'), {
      IRONRUN_CONFIG_DIR: join(home.dir, 'cold-cache'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/fails closed|could not run/);
  });

  it('exits 2 on a failure of its own (an option it does not know)', async () => {
    const run = await runHook(
      hookCommand.replace(guardEntry, `${guardEntry} --no-such-option`),
      hookInput('git status'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option/);
  });

  it('denies every shell command when the policy stops parsing and was never trusted', async () => {
    const policy = project.path('ironrun.yml');
    const good = await readFile(policy, 'utf8');
    await writeFile(policy, 'commands: [unclosed\n');
    try {
      const run = await runHook(hookCommand, hookInput('./scripts/deploy.sh'));
      expect(blocks(run)).toBe(true);
      expect(run.stdout).toMatch(/does not parse/);
    } finally {
      await writeFile(policy, good);
    }
  });
});

describe('the guard against an agent that edits the policy', () => {
  it('keeps denying a trusted command after the agent deletes it from ironrun.yml', async () => {
    const policy = project.path('ironrun.yml');
    const good = await readFile(policy, 'utf8');
    await trust(policy, { configDir: env.IRONRUN_CONFIG_DIR as string, schemes: ['envfile'] });
    try {
      await writeFile(
        policy,
        'version: 1\nprovider:\n  name: envfile\n  path: /tmp/elsewhere.env\ncommands: []\n',
      );
      const run = await runHook(hookCommand, hookInput('./scripts/deploy.sh'));
      expect(blocks(run)).toBe(true);
      expect(run.stdout).toMatch(/policy command \\"deploy\\"/);
      const read = await runHook(hookCommand, hookInput('cat ~/secrets/demo.env'));
      expect(blocks(read)).toBe(true);
    } finally {
      await writeFile(policy, good);
    }
  });
});

describe('dist/guard.cjs', () => {
  it('waits for hook input that arrives after it starts, and still denies on it', async () => {
    // The input is written 1 s late, so the first non-blocking read finds nothing yet.
    const late = `{ sleep 1; printf '%s' "$HOOK_INPUT"; } | ${hookCommand}`;
    const denied = await runHook(late, '', {
      HOOK_INPUT: hookInput('cat ~/secrets/demo.env'),
    });
    expect(blocks(denied)).toBe(true);
    expect(denied.stdout + denied.stderr).not.toContain(secret);
    const allowed = await runHook(late, '', { HOOK_INPUT: hookInput('git status') });
    expect(allowed).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('reads hook input from a socket, as Node-based agents hand it, at once or late', async () => {
    // runProcess's stdin is a UNIX socket, which `/proc/self/fd/0` cannot reopen: the guard
    // reads descriptor 0 itself.
    const probe = await runProcess(
      process.execPath,
      ['-e', "process.stdout.write(String(require('fs').fstatSync(0).isSocket()))"],
      { cwd: project.dir },
    );
    expect(probe.stdout).toBe('true');
    for (const inputDelayMs of [0, 700]) {
      for (const [command, denied] of [
        ['cat ~/secrets/demo.env', true],
        ['git status', false],
      ] as const) {
        const run = await runProcess(process.execPath, [guardEntry], {
          cwd: project.dir,
          env,
          input: hookInput(command),
          inputDelayMs,
        });
        expect(run.code, `${command}, ${inputDelayMs} ms late`).toBe(0);
        expect(blocks(run), `${command}, ${inputDelayMs} ms late`).toBe(denied);
        expect(run.stdout + run.stderr).not.toContain(secret);
      }
    }
  });

  it('denies after 10 s when the agent never closes its input: exit 2 as registered, SIGKILL alone', async () => {
    // The read waits on libuv's thread pool, which `process.exit` would wait for: the guard
    // ends itself with SIGKILL, and the hook's fallback makes that exit 2.
    const options = {
      cwd: project.dir,
      env,
      input: hookInput('git status').slice(0, 20),
      leaveInputOpen: true,
    };
    const [registered, alone] = await Promise.all([
      runProcess('/bin/sh', ['-c', hookCommand], options),
      runProcess(process.execPath, [guardEntry], options),
    ]);
    expect(registered.code).toBe(2);
    expect(registered.stdout).toBe('');
    expect(registered.stderr).toMatch(/took longer than 10 s/);
    expect(alone.signal).toBe('SIGKILL');
    expect(alone.stdout).toBe('');
    expect(alone.stderr).toMatch(/took longer than 10 s. The tool call is denied/);
  }, 30_000);

  it('is one CommonJS file that requires only fs, os and path, and loads no SDK', async () => {
    const text = await readFile(guardEntry, 'utf8');
    const required = [...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((match) =>
      (match[1] as string).replace(/^node:/, ''),
    );
    const dynamicImports = [...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map(
      (match) => match[1],
    );
    // No ES syntax at all: an ES entry would cost Node's ES loader on every call.
    expect(text).not.toMatch(/\bimport\s*[{*\w$][^;]*?\bfrom\s*["']|\bimport\.meta\b|^export\s/m);
    expect([...new Set(required)].sort()).toEqual(['fs', 'os', 'path']);
    // Loaded lazily, on a cache miss only: yaml, crypto for the trust record's name, and
    // core for the providers' declared vendor facts (the registry), cached with the policy
    // facts; never on a hit, where core would cost the whole pipeline on every tool call.
    expect([...new Set(dynamicImports)].sort()).toEqual(['@ironrun/core', 'node:crypto', 'yaml']);
    expect(text).not.toMatch(/modelcontextprotocol|citty|valibot|@1password|@dopplerhq|@infisical/);
  });
});

describe('dist/guard.js, the entry older settings files name, and `ironrun guard`', () => {
  const esEntry = fileURLToPath(new URL('../dist/guard.js', import.meta.url));
  // The ES entry of the CLI, which the bin (dist/cli.cjs) hands `guard` to.
  const esCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const oldHook = () => hookCommand.replace(guardEntry, esEntry);

  it('decide exactly as dist/guard.cjs does', async () => {
    expect(oldHook()).not.toBe(hookCommand);
    const viaCli = hookCommand.replace(guardEntry, `${cliPath} guard`);
    for (const hook of [oldHook(), viaCli]) {
      const denied = await runHook(hook, hookInput('sh scripts/deploy.sh'));
      expect(denied.code, hook).toBe(0);
      expect(blocks(denied), hook).toBe(true);
      expect(denied.stdout, hook).toMatch(/policy command \\"deploy\\"/);
      const read = await runHook(hook, hookInput('cat ~/secrets/demo.env'));
      expect(blocks(read), hook).toBe(true);
      expect(read.stdout + read.stderr).not.toContain(secret);
      expect(await runHook(hook, hookInput('git status')), hook).toEqual({
        code: 0,
        stdout: '',
        stderr: '',
      });
    }
  });

  it('exit 2 by themselves (no shell fallback) when guard.cjs next to them is missing or broken', async () => {
    const folder = join(home.dir, 'old-install');
    await mkdir(folder, { recursive: true });
    await copyFile(esEntry, join(folder, 'guard.js'));
    await copyFile(esCli, join(folder, 'cli.js'));
    // dist/ is ES because the package says so; the copies sit in such a folder too.
    await writeFile(join(folder, 'package.json'), '{"type":"module"}\n');
    const entries = [[join(folder, 'guard.js')], [join(folder, 'cli.js'), 'guard']];
    const cases = [
      ['missing', undefined],
      ['a syntax error', 'this is not javascript (\n'],
      ['a throw', "throw new Error('boom');\n"],
    ] as const;
    // cli.js without guard.js next to it at all.
    const lonelyCli = join(home.dir, 'lonely-cli');
    await mkdir(lonelyCli, { recursive: true });
    await copyFile(esCli, join(lonelyCli, 'cli.js'));
    await writeFile(join(lonelyCli, 'package.json'), '{"type":"module"}\n');
    const alone = await runProcess(process.execPath, [join(lonelyCli, 'cli.js'), 'guard'], {
      cwd: project.dir,
      env,
      input: hookInput('git status'),
    });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/fails closed/);
    // The bin without the ES entry it hands `guard` to (a broken or half-copied install): exit
    // 1 would let the tool call through (a hook's non-blocking error); it must be 2 as well.
    const lonelyBin = join(home.dir, 'lonely-bin');
    await mkdir(lonelyBin, { recursive: true });
    await copyFile(cliPath, join(lonelyBin, 'cli.cjs'));
    for (const broken of [undefined, 'this is not javascript (\n']) {
      await rm(join(lonelyBin, 'cli.js'), { force: true });
      if (broken !== undefined) await writeFile(join(lonelyBin, 'cli.js'), broken);
      const bin = await runProcess(process.execPath, [join(lonelyBin, 'cli.cjs'), 'guard'], {
        cwd: project.dir,
        env,
        input: hookInput('git status'),
      });
      expect(bin.code, `the bin, cli.js ${broken === undefined ? 'missing' : 'broken'}`).toBe(2);
      expect(bin.stderr).toMatch(/fails closed/);
    }
    for (const [what, text] of cases) {
      await rm(join(folder, 'guard.cjs'), { force: true });
      if (text !== undefined) await writeFile(join(folder, 'guard.cjs'), text);
      for (const args of entries) {
        const run = await runProcess(process.execPath, args, {
          cwd: project.dir,
          env,
          input: hookInput('git status'),
        });
        expect(run.code, `${args.join(' ')}, guard.cjs ${what}`).toBe(2);
        expect(run.stderr).toMatch(/fails closed/);
      }
    }
  });
});

describe('init run again over hooks an older init wrote', () => {
  it('rewrites every dist/guard.js hook to dist/guard.cjs, one per event, and a third run changes nothing', async () => {
    const old = await testdir({
      'ironrun.yml': 'version: 1\nprovider: envfile\ncommands: []\n',
    });
    try {
      const esEntry = fileURLToPath(new URL('../dist/guard.js', import.meta.url));
      // What the previous init wrote: the ES entry by absolute path, failing closed.
      const before = hookCommand.replace(guardEntry, esEntry);
      await mkdir(old.path('.claude'), { recursive: true });
      await mkdir(old.path('.cursor'), { recursive: true });
      await mkdir(old.path('.gemini'), { recursive: true });
      await writeFile(
        old.path('.claude/settings.json'),
        JSON.stringify({
          hooks: {
            PreToolUse: [
              { matcher: 'Bash', hooks: [{ type: 'command', command: 'echo mine' }] },
              { matcher: 'Bash|Read', hooks: [{ type: 'command', command: before }] },
            ],
          },
        }),
      );
      const cursorEvents = ['beforeShellExecution', 'beforeReadFile', 'preToolUse'];
      await writeFile(
        old.path('.cursor/hooks.json'),
        JSON.stringify({
          version: 1,
          hooks: Object.fromEntries(
            cursorEvents.map((event) => [
              event,
              [{ command: './audit.sh' }, { command: before, timeout: 10, failClosed: true }],
            ]),
          ),
        }),
      );
      await writeFile(
        old.path('.gemini/settings.json'),
        JSON.stringify({
          hooks: {
            BeforeTool: [
              {
                hooks: [
                  { type: 'command', name: 'ironrun-guard', command: before, timeout: 15000 },
                ],
              },
            ],
          },
        }),
      );
      const agents = ['init', '--agents', 'claude,cursor,gemini'];
      const first = await runIronrun(agents, { cwd: old.dir, env });
      expect(first.code, first.stderr).toBe(0);
      const read = async () => ({
        claude: JSON.parse(await readFile(old.path('.claude/settings.json'), 'utf8')),
        cursor: JSON.parse(await readFile(old.path('.cursor/hooks.json'), 'utf8')),
        gemini: JSON.parse(await readFile(old.path('.gemini/settings.json'), 'utf8')),
      });
      const after = await read();
      const commands = (definitions: { hooks: { command: string }[] }[]) =>
        definitions.flatMap((definition) => definition.hooks.map((hook) => hook.command));
      const claude = commands(after.claude.hooks.PreToolUse);
      expect(claude.filter((command) => /guard/.test(command))).toHaveLength(1);
      expect(claude).toContain('echo mine');
      const gemini = commands(after.gemini.hooks.BeforeTool);
      expect(gemini).toHaveLength(1);
      for (const command of [...claude.filter((c) => /guard/.test(c)), ...gemini]) {
        expect(command).toContain(guardEntry);
        expect(command).not.toContain(esEntry);
        expect(command).toMatch(/exit 2; }$/);
      }
      for (const event of cursorEvents) {
        const entries = after.cursor.hooks[event] as { command: string; failClosed?: boolean }[];
        expect(entries.map((entry) => entry.command.includes(guardEntry))).toEqual([false, true]);
        expect(entries[1]?.failClosed).toBe(true);
      }
      // The rewritten hook still decides: a read of the envfile is denied.
      const claudeHook = claude.find((command) => command.includes(guardEntry)) as string;
      expect(blocks(await runHook(claudeHook, hookInput('cat ~/secrets/demo.env')))).toBe(true);
      const again = await runIronrun(agents, { cwd: old.dir, env });
      expect(again.code).toBe(0);
      expect(await read()).toEqual(after);
    } finally {
      await old.cleanup();
    }
  });
});
