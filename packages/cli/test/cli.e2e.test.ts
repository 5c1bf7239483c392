import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';
import { installExampleProvider } from './example-provider.js';

const secret = 'tok_live_e2e_9f8e7d6c5b4a';
const nodeDir = dirname(process.execPath);

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;

beforeEach(async () => {
  home = await testdir();
  project = await testdir({
    'package.json': JSON.stringify({
      name: 'sample-shop',
      scripts: {
        test: `node -e "console.log('token=' + process.env.API_TOKEN)"`,
        lint: 'node -e "console.log(1)"',
      },
    }),
  });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

/** What a person does after `init`: give the test command a secret, and npm a PATH. */
async function addSecretToTestCommand(): Promise<void> {
  const path = project.path('ironrun.yml');
  const text = await readFile(path, 'utf8');
  const edited = text.replace(
    '    argv: [npm, run, test]\n',
    `    argv: [npm, run, test]\n    path: ${nodeDir}:/usr/bin:/bin\n    env:\n      API_TOKEN: envfile://API_TOKEN\n`,
  );
  expect(edited).not.toBe(text);
  await writeFile(path, edited);
  await mkdir(join(home.dir, '.config', 'ironrun'), { recursive: true });
  await writeFile(
    join(home.dir, '.config', 'ironrun', 'sample-shop.env'),
    `API_TOKEN=${secret}\n`,
    { mode: 0o600 },
  );
}

function all(run: { stdout: string; stderr: string }): string {
  return run.stdout + run.stderr;
}

describe('ironrun init → check → trust → run', () => {
  it('sets up a Node project and runs its test script with the secret redacted', async () => {
    const init = await runIronrun(['init'], { cwd: project.dir, env });
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/created\s+ironrun\.yml/);
    expect(init.stdout).toMatch(/ironrun trust/);
    const policy = await readFile(project.path('ironrun.yml'), 'utf8');
    expect(policy).toMatch(
      /- id: test\n.*\n\s+argv: \[npm, run, test\]\n\s+pin: \[\{ file: package\.json, part: scripts\.test \}\]/,
    );
    expect(policy).toMatch(/#\s+STRIPE_SECRET_KEY: envfile:\/\/STRIPE_SECRET_KEY/);

    await addSecretToTestCommand();
    const check = await runIronrun(['check', '--providers'], { cwd: project.dir, env });
    expect(check.code).toBe(3); // valid, not trusted yet: references are not resolved
    expect(check.stdout).toMatch(/is valid/);
    expect(check.stdout).not.toMatch(/envfile:\/\/API_TOKEN resolves/);
    expect(check.stdout).toMatch(/not resolved: only a trusted policy/);
    expect(check.stdout).toMatch(/not trusted yet/);

    const untrusted = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(untrusted.code).toBe(3);

    const trust = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    expect(trust.code).toBe(0);
    expect(trust.stderr).toMatch(/package\.json/);
    expect((await runIronrun(['check'], { cwd: project.dir, env })).code).toBe(0);
    const trustedCheck = await runIronrun(['check', '--providers'], { cwd: project.dir, env });
    expect(trustedCheck.code).toBe(0);
    expect(trustedCheck.stdout).toMatch(/envfile:\/\/API_TOKEN resolves/);

    const run = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('token=[REDACTED]');
    expect(all(run)).not.toContain(secret);

    const json = await runIronrun(['run', 'test', '--json'], { cwd: project.dir, env });
    const result = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(
      [
        'duration_ms',
        'exit_code',
        'isolation',
        'redactions',
        'signal',
        'stderr',
        'stdout',
        'timed_out',
        'truncated',
      ].sort(),
    );
    expect(result.exit_code).toBe(0);
    expect(typeof result.isolation).toBe('string');
    expect(result.redactions).toBe(1);
    expect(result.stdout).toContain('token=[REDACTED]');
    expect(json.stdout).not.toContain(secret);
  });

  it('keeps test trusted when package.json dependencies change, and refuses it when its script changes', async () => {
    await runIronrun(['init'], { cwd: project.dir, env });
    await addSecretToTestCommand();
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    const pkg = project.path('package.json');
    const original = await readFile(pkg, 'utf8');
    const manifest = JSON.parse(original) as Record<string, unknown>;
    await writeFile(
      pkg,
      `${JSON.stringify({ ...manifest, dependencies: { 'left-pad': '^1.3.0' } }, null, 2)}\n`,
    );
    const afterDeps = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(afterDeps.code).toBe(0);
    expect(all(afterDeps)).not.toContain(secret);
    const scripts = manifest.scripts as Record<string, string>;
    await writeFile(
      pkg,
      `${JSON.stringify({ ...manifest, scripts: { ...scripts, pretest: 'node -e "console.log(1)"' } }, null, 2)}\n`,
    );
    const afterPretest = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(afterPretest.code).toBe(3);
    expect(afterPretest.stderr).toMatch(/command "test"/);
    expect(afterPretest.stderr).toMatch(/package\.json/);
  });

  it('refuses to run after the policy is edited, and after a pinned file changes', async () => {
    await runIronrun(['init'], { cwd: project.dir, env });
    await addSecretToTestCommand();
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);

    const pkg = project.path('package.json');
    const original = await readFile(pkg, 'utf8');
    await writeFile(
      pkg,
      original.replace(
        "'token=' + process.env.API_TOKEN",
        "process.env.API_TOKEN.split('').join(' ')",
      ),
    );
    const pinned = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(pinned.code).toBe(3);
    expect(pinned.stderr).toMatch(/package\.json/);
    expect(all(pinned)).not.toContain(secret);
    await writeFile(pkg, original);
    expect((await runIronrun(['run', 'test'], { cwd: project.dir, env })).code).toBe(0);

    // Trust is per command: the edit is to the entry of the command run.
    await writeFile(
      project.path('ironrun.yml'),
      (await readFile(project.path('ironrun.yml'), 'utf8')).replace(
        '      API_TOKEN: envfile://API_TOKEN\n',
        '      API_TOKEN: envfile://API_TOKEN\n      EDITED: "1"\n',
      ),
    );
    const edited = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(edited.code).toBe(3);
    expect(edited.stderr).toMatch(/changed since it was trusted/);
    const json = await runIronrun(['run', 'test', '--json'], { cwd: project.dir, env });
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'POLICY_CHANGED', message: expect.any(String) },
    });
  });

  it('exits with the command exit code, 124 on timeout, and passes arguments after --', async () => {
    await project.write({
      'ironrun.yml': [
        'version: 1',
        'provider: envfile',
        'commands:',
        '  - id: fail',
        `    argv: [node, -e, "console.log(process.argv.slice(1).join(','));process.exit(7)"]`,
        `    path: ${nodeDir}`,
        '    args: { pattern: "[a-z-]+", max: 2, allow_options: true }',
        '  - id: hang',
        '    argv: [node, -e, "setInterval(() => {}, 1000)"]',
        `    path: ${nodeDir}`,
        '    ttl: 300ms',
        '',
      ].join('\n'),
    });
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    const fail = await runIronrun(['run', 'fail', '--', 'a', '--help'], { cwd: project.dir, env });
    expect(fail.code).toBe(7);
    expect(fail.stdout).toBe('a,--help\n');
    const stray = await runIronrun(['run', 'fail', 'a'], { cwd: project.dir, env });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/after --/);
    const hang = await runIronrun(['run', 'hang'], { cwd: project.dir, env });
    expect(hang.code).toBe(124);
    const unknown = await runIronrun(['run', 'nope'], { cwd: project.dir, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/fail, hang/);
  });

  it('refuses a confirm: true command without a terminal', async () => {
    await project.write({
      'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: deploy\n    argv: [node, -e, "console.log('deployed')"]\n    path: ${nodeDir}\n    confirm: true\n`,
    });
    await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    const run = await runIronrun(['run', 'deploy'], { cwd: project.dir, env, input: 'y\n' });
    expect(run.code).toBe(6);
    expect(run.stdout).not.toContain('deployed');
  });
});

describe('ironrun trust', () => {
  it('refuses without a terminal unless --yes is given', async () => {
    await project.write({ 'ironrun.yml': 'version: 1\nprovider: envfile\ncommands: []\n' });
    const run = await runIronrun(['trust'], { cwd: project.dir, env, input: 'y\n' });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/needs a person at a terminal/);
    expect((await runIronrun(['check'], { cwd: project.dir, env })).code).toBe(3);
  });

  it('shows control characters in the policy as escapes, so they cannot hide what is trusted', async () => {
    await project.write({
      'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: x\n    description: "safe\\e[2K\\rinnocent"\n    argv: [node, -e, "1"]\n    path: ${nodeDir}\n`,
    });
    const run = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('\x1b');
    // The review's escaping (`escapeForReview`): `\u{1b}`, `\r`, and the value flagged.
    expect(run.stderr).toContain('safe\\u{1b}[2K\\rinnocent ⚠ control');
  });
});

describe('ironrun check', () => {
  it('prints file:line:col for each problem and exits 2', async () => {
    await project.write({
      'ironrun.yml':
        'version: 1\nprovider: envfile\ncommands:\n  - id: x\n    argv: [echo]\n    tll: 5s\n',
    });
    const run = await runIronrun(['check'], { cwd: project.dir, env });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^ironrun\.yml:6:5: error .*tll/m);
  });

  it('reports a reference that does not resolve, without any value, and exits 4', async () => {
    await mkdir(join(home.dir, 's'), { recursive: true });
    await writeFile(join(home.dir, 's', 'x.env'), `OTHER=${secret}\n`, { mode: 0o600 });
    await project.write({
      'ironrun.yml': `version: 1\nprovider: { name: envfile, path: ~/s/x.env }\ncommands:\n  - id: x\n    argv: [node]\n    path: ${nodeDir}\n    env: { A: envfile://MISSING, B: envfile://OTHER }\n`,
    });
    await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    const run = await runIronrun(['check', '--providers', '--json'], { cwd: project.dir, env });
    expect(run.code).toBe(4);
    const report = JSON.parse(run.stdout) as { references: { ref: string; found: boolean }[] };
    expect(report.references.map((r) => [r.ref, r.found])).toEqual([
      ['envfile://MISSING', false],
      ['envfile://OTHER', true],
    ]);
    expect(all(run)).not.toContain(secret);
  });
});

describe('ironrun audit', () => {
  it('finds a planted leak in a fake transcript, raw and base64, and reports the reference, never the value', async () => {
    await mkdir(join(home.dir, 's'), { recursive: true });
    await writeFile(join(home.dir, 's', 'x.env'), `API_TOKEN=${secret}\n`, { mode: 0o600 });
    await project.write({
      'ironrun.yml': `version: 1\nprovider: { name: envfile, path: ~/s/x.env }\ncommands:\n  - id: deploy\n    argv: [node]\n    path: ${nodeDir}\n    env: { API_TOKEN: envfile://API_TOKEN }\n`,
    });
    const transcripts = join(home.dir, '.claude', 'projects', '-work-sample');
    await mkdir(transcripts, { recursive: true });
    const lines = [
      { type: 'user', message: { content: 'run the tests' } },
      { type: 'assistant', message: { content: `the token is ${secret}` } },
      { type: 'tool_result', content: 'nothing here' },
      { type: 'tool_result', content: Buffer.from(`API_TOKEN=${secret}`).toString('base64') },
    ];
    await writeFile(
      join(transcripts, 'session.jsonl'),
      `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`,
    );
    await writeFile(
      join(transcripts, 'clean.jsonl'),
      `${JSON.stringify({ type: 'user', message: 'hi' })}\n`,
    );

    // audit reads only the secrets of a trusted policy.
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    const run = await runIronrun(['audit'], { cwd: project.dir, env });
    expect(run.code).toBe(1);
    // One finding per file and reference; no line or encoding (the agent wrote the file).
    expect(run.stdout).toMatch(
      /session\.jsonl: leak envfile:\/\/API_TOKEN \(deploy\.API_TOKEN\)\n/,
    );
    expect(run.stdout.match(/leak/g)).toHaveLength(1);
    expect(run.stdout).not.toMatch(/clean\.jsonl/);
    expect(all(run)).not.toContain(secret);
    expect(all(run)).not.toContain(Buffer.from(`API_TOKEN=${secret}`).toString('base64'));

    const json = await runIronrun(['audit', '--json', transcripts], { cwd: project.dir, env });
    const report = JSON.parse(json.stdout) as {
      files_scanned: number;
      findings: Record<string, unknown>[];
    };
    expect(report.files_scanned).toBe(2);
    expect(report.findings).toEqual([
      {
        file: join(transcripts, 'session.jsonl'),
        ref: 'envfile://API_TOKEN',
        used_by: ['deploy.API_TOKEN'],
      },
    ]);

    await writeFile(join(transcripts, 'session.jsonl'), `${JSON.stringify(lines[0])}\n`);
    expect((await runIronrun(['audit'], { cwd: project.dir, env })).code).toBe(0);

    // The base64 form alone is still a leak of that file.
    await writeFile(join(transcripts, 'session.jsonl'), `${JSON.stringify(lines[3])}\n`);
    const encoded = await runIronrun(['audit'], { cwd: project.dir, env });
    expect(encoded.code).toBe(1);
    expect(encoded.stdout).toMatch(/session\.jsonl: leak envfile:\/\/API_TOKEN/);
  });
});

describe('ironrun init', () => {
  it('--dry-run writes nothing and shows what it would write', async () => {
    const run = await runIronrun(['init', '--dry-run'], { cwd: project.dir, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/would create\s+ironrun\.yml/);
    expect(run.stdout).toMatch(/would create\s+\.mcp\.json/);
    expect(run.stdout).toMatch(/\|\s+"mcpServers"/);
    await expect(readFile(project.path('ironrun.yml'), 'utf8')).rejects.toThrow();
    await expect(readFile(project.path('.mcp.json'), 'utf8')).rejects.toThrow();
  });

  it('is idempotent: a second run changes no file', async () => {
    await runIronrun(['init', '--claude-hooks'], { cwd: project.dir, env });
    const files = [
      'ironrun.yml',
      '.mcp.json',
      '.cursor/mcp.json',
      '.vscode/mcp.json',
      '.codex/config.toml',
      'CLAUDE.md',
      'AGENTS.md',
      '.claude/settings.json',
      '.cursor/hooks.json',
    ];
    const before = await Promise.all(files.map((file) => readFile(project.path(file), 'utf8')));
    const claude = JSON.parse(before[files.indexOf('.claude/settings.json')] as string);
    expect(claude.permissions.deny).toContain(`Edit(/${project.dir}/ironrun.yml)`);
    expect(claude.permissions.deny).toContain('Read(~/.doppler/**)');
    expect(claude.sandbox.filesystem.denyRead).toContain('~/.config/op/**');
    expect(claude.sandbox.enabled).toBeUndefined();
    const codex = before[files.indexOf('.codex/config.toml')] as string;
    expect(codex).toMatch(
      /\[shell_environment_policy\]\nexclude = \[[^\]]*"OP_SERVICE_ACCOUNT_TOKEN"/,
    );
    const again = await runIronrun(['init', '--claude-hooks', '--json'], { cwd: project.dir, env });
    const report = JSON.parse(again.stdout) as {
      files: { status: string; note?: string }[];
      snippets: { agent: string; path: string; text: string }[];
    };
    const codexUser = report.snippets.find((snippet) => snippet.agent === 'codex');
    expect(codexUser?.path).toBe('~/.codex/config.toml');
    expect(codexUser?.text).toContain(`"--policy", "${project.path('ironrun.yml')}"`);
    expect(report.files.map((file) => file.status)).toEqual(files.map(() => 'unchanged'));
    const after = await Promise.all(files.map((file) => readFile(project.path(file), 'utf8')));
    expect(after).toEqual(before);
  });

  it('merges into an existing .mcp.json and CLAUDE.md without losing anything', async () => {
    await project.write({
      '.mcp.json': `${JSON.stringify({ mcpServers: { github: { command: 'gh-mcp', args: ['--x'] } }, other: true }, null, 4)}\n`,
      'CLAUDE.md': '# House rules\n\nUse tabs.\n',
    });
    expect((await runIronrun(['init'], { cwd: project.dir, env })).code).toBe(0);
    const mcp = JSON.parse(await readFile(project.path('.mcp.json'), 'utf8'));
    expect(mcp).toEqual({
      mcpServers: {
        github: { command: 'gh-mcp', args: ['--x'] },
        ironrun: { type: 'stdio', command: 'npx', args: ['-y', '@ironrun/cli', 'mcp'] },
      },
      other: true,
    });
    const claude = await readFile(project.path('CLAUDE.md'), 'utf8');
    expect(claude.startsWith('# House rules\n\nUse tabs.\n')).toBe(true);
    expect(claude).toMatch(/<!-- ironrun:start -->[\s\S]*\n@AGENTS\.md\n<!-- ironrun:end -->\n$/);
    expect(await readFile(project.path('AGENTS.md'), 'utf8')).toMatch(
      /<!-- ironrun:start -->[\s\S]*run_sealed[\s\S]*<!-- ironrun:end -->\n$/,
    );
  });

  it('writes each agent its own format', async () => {
    await runIronrun(['init', '--bin', 'ironrun', '--provider', 'doppler'], {
      cwd: project.dir,
      env,
    });
    const vscode = JSON.parse(await readFile(project.path('.vscode/mcp.json'), 'utf8'));
    expect(vscode.servers.ironrun).toEqual({
      type: 'stdio',
      command: 'ironrun',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own variable syntax
      args: ['mcp', '--policy', '${workspaceFolder}/ironrun.yml'],
    });
    const codex = await readFile(project.path('.codex/config.toml'), 'utf8');
    expect(codex).toMatch(/^\[mcp_servers\.ironrun\]$/m);
    expect(codex).toMatch(/^env_vars = \[ "DOPPLER_TOKEN", "IRONRUN_CONFIG_DIR"/m);
    expect(codex).toMatch(/^tool_timeout_sec = 630$/m);
    expect(await readFile(project.path('ironrun.yml'), 'utf8')).toMatch(
      /name: doppler[\s\S]*doppler:\/\/STRIPE_SECRET_KEY/,
    );
  });
});

describe('ironrun with a third-party provider', () => {
  it('loads ironrun-provider-example by name from the project node_modules', async () => {
    await installExampleProvider(project.dir);
    await writeFile(join(home.dir, 'example.json'), JSON.stringify({ API_KEY: secret }), {
      mode: 0o600,
    });
    await project.write({
      'ironrun.yml': [
        'version: 1',
        'provider:',
        '  name: ironrun-provider-example',
        '  file: ~/example.json',
        'commands:',
        '  - id: hello',
        `    argv: [node, -e, "console.log('key ' + process.env.API_KEY)"]`,
        `    path: ${nodeDir}`,
        '    env:',
        '      API_KEY: example://API_KEY',
        '',
      ].join('\n'),
    });
    const list = await runIronrun(['list', '--json'], { cwd: project.dir, env });
    expect(JSON.parse(list.stdout).commands).toMatchObject([{ id: 'hello', env: ['API_KEY'] }]);
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    // Its code runs only for a trusted policy (which pinned the package).
    const check = await runIronrun(['check', '--providers'], { cwd: project.dir, env });
    expect(check.stdout).toMatch(/example:\/\/API_KEY resolves/);
    const run = await runIronrun(['run', 'hello'], { cwd: project.dir, env });
    expect(all(run)).not.toContain(secret);
    expect(run.stdout).toBe('key [REDACTED]\n');
    expect(run.code).toBe(0);
    // Trust is per command: the edit is to the entry of the command run.
    await writeFile(
      project.path('ironrun.yml'),
      `${await readFile(project.path('ironrun.yml'), 'utf8')}    ttl: 9s\n`,
    );
    expect((await runIronrun(['run', 'hello'], { cwd: project.dir, env })).code).toBe(3);
  });
});

describe('ironrun (usage)', () => {
  it('prints the version, exits 2 on an unknown option, and never colours without a terminal', async () => {
    const version = await runIronrun(['--version'], { cwd: project.dir, env });
    const pkg = JSON.parse(
      await readFile(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
    );
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const bad = await runIronrun(['list', '--polcy', 'x'], { cwd: project.dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option --polcy/);
    const help = await runIronrun(['run', '--help'], {
      cwd: project.dir,
      env: { ...env, FORCE_COLOR: '1' },
    });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/USAGE/);
    expect(help.stdout).not.toContain('\x1b[');
  });
});

describe('ironrun doctor', () => {
  it('reports each check, warns about a vault token in the environment without printing it, and fails on a changed policy', async () => {
    await project.write({
      'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: x\n    argv: [node]\n    path: ${nodeDir}\n`,
    });
    await runIronrun(['init'], { cwd: project.dir, env });
    await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    const token = 'dp.st.doctor_0123456789abcdef';
    const ok = await runIronrun(['doctor', '--json'], {
      cwd: project.dir,
      env: { ...env, DOPPLER_TOKEN: token },
    });
    const report = JSON.parse(ok.stdout) as {
      ok: boolean;
      checks: { name: string; status: string; detail: string }[];
    };
    const byName = (name: string) => report.checks.filter((check) => check.name === name);
    expect(byName('node')[0]?.status).toBe('ok');
    expect(byName('trust')[0]?.status).toBe('ok');
    expect(byName('isolation')).toHaveLength(1);
    expect(byName('mcp Claude Code')[0]?.status).toBe('ok');
    expect(byName('credentials').some((check) => /DOPPLER_TOKEN/.test(check.detail))).toBe(true);
    expect(ok.stdout).not.toContain(token);
    expect(ok.code).toBe(0);

    await writeFile(
      project.path('ironrun.yml'),
      `${await readFile(project.path('ironrun.yml'), 'utf8')}# edited\n`,
    );
    const changed = await runIronrun(['doctor'], { cwd: project.dir, env });
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/✗ trust\s+changed since trusted: ironrun\.yml \(modified\)/);
  });
  it('fails the envfile check for an envfile inside the project under a folder named ..vault', async () => {
    await project.write({
      'ironrun.yml': `version: 1\nprovider:\n  name: envfile\n  path: ..vault/app.env\ncommands:\n  - id: x\n    argv: [node]\n    path: ${nodeDir}\n`,
      '..vault/app.env': { content: 'API_TOKEN=tok_live_inside_project_0123\n', mode: 0o600 },
    });
    const run = await runIronrun(['doctor', '--json'], { cwd: project.dir, env });
    const report = JSON.parse(run.stdout) as { checks: { name: string; status: string }[] };
    expect(report.checks.find((check) => check.name === 'envfile')?.status).toBe('fail');
    expect(run.stdout).not.toContain('tok_live_inside_project_0123');
    expect(run.code).toBe(1);
  });
});
