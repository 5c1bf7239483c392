import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, runIronrun, runProcess } from './cli-process.js';

const nodeDir = dirname(process.execPath);
const cliPackage = fileURLToPath(new URL('..', import.meta.url));
const version = (
  JSON.parse(await readFile(join(cliPackage, 'package.json'), 'utf8')) as { version: string }
).version;
const systemPath = [...new Set([nodeDir, '/usr/local/bin', '/usr/bin', '/bin'])].join(':');

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;

beforeEach(async () => {
  home = await testdir();
  project = await testdir({
    'package.json': JSON.stringify({ name: 'instr', scripts: { test: 'node --test' } }),
    // The file the instructions' example names, so the example line runs as written.
    'test/example.test.js':
      "const test = require('node:test');\ntest('example passes', () => {});\n",
    'test/fails.test.js':
      "const test = require('node:test');\ntest('fails', () => { throw new Error('red'); });\n",
  });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

/** The shell lines AGENTS.md gives the agent: its `sh` block, and each `… run <id> -- …` example. */
function shellLines(agentsMd: string): { block: string[]; examples: string[] } {
  const block = /```sh\n([\s\S]*?)\n\s*```/.exec(agentsMd)?.[1];
  return {
    block: (block ?? '').split('\n').map((line) => line.trim()),
    examples: [...agentsMd.matchAll(/, or `([^`]+ run [^`]+ -- [^`]+)`\./g)].map(
      (match) => match[1] as string,
    ),
  };
}

/** Gives the generated test command a PATH to npm inside the seal, unless init wrote one. */
async function sealPath(): Promise<void> {
  const path = project.path('ironrun.yml');
  const policy = await readFile(path, 'utf8');
  if (/^\s+path:/m.test(policy)) return;
  await writeFile(
    path,
    policy.replace(
      '    argv: [npm, run, test, "--"]\n',
      `    argv: [npm, run, test, "--"]\n    path: ${systemPath}\n`,
    ),
  );
}

/**
 * Trusts the policy (as the person), then runs every shell line of AGENTS.md
 * the way the agent's shell would (`sh -c`, from the project folder, with
 * `shellPath`), and checks what each did.
 */
async function runTheInstructions(shellPath: string): Promise<string[]> {
  const agentsMd = await readFile(project.path('AGENTS.md'), 'utf8');
  const { block, examples } = shellLines(agentsMd);
  expect(block).toHaveLength(2);
  expect(examples).toHaveLength(1);
  await sealPath();
  expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
  const shellEnv = { ...env, PATH: shellPath };
  const [list, run] = await Promise.all(
    block.map((line) => runProcess('/bin/sh', ['-c', line], { cwd: project.dir, env: shellEnv })),
  );
  expect(list?.code, list?.stderr).toBe(0);
  expect(list?.stdout).toMatch(/^test\b/m);
  // `run test` runs every test file: the failing one too, so exit 1 — through ironrun, sealed.
  expect(run?.code, run?.stderr).toBe(1);
  expect(run?.stdout).toMatch(/# fail 1/);
  // The example with one test file passes: only that file ran.
  const example = await runProcess('/bin/sh', ['-c', examples[0] as string], {
    cwd: project.dir,
    env: shellEnv,
  });
  expect(example.code, example.stderr).toBe(0);
  expect(example.stdout).toMatch(/example passes/);
  expect(example.stdout).not.toMatch(/\bfails\b/);
  return [...block, ...examples];
}

/** The confined-start lines `init` printed: the shell form of ironrun before ` agent -- `, and the agent. */
function startLines(initOut: string): { ironrun: string; agent: string }[] {
  return [
    ...initOut.matchAll(
      /confined \(no secret or trust record reachable from it\): (.+) agent -- (.+)$/gm,
    ),
  ].map((match) => ({ ironrun: match[1] as string, agent: match[2] as string }));
}

/**
 * Runs each printed start line the way the person would type it (`sh -c`, in the project
 * folder), with `--dry-run` after `agent` so the agent itself is not needed: ironrun must
 * start, find the policy and plan the confinement of that agent.
 */
async function runTheStartLines(initOut: string, shellPath: string): Promise<string[]> {
  const lines = startLines(initOut);
  for (const { ironrun, agent } of lines) {
    const dry = await runProcess('/bin/sh', ['-c', `${ironrun} agent --dry-run -- ${agent}`], {
      cwd: project.dir,
      env: { ...env, PATH: shellPath },
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^confinement: /m);
    expect(dry.stdout).toContain(`agent: ${JSON.stringify(agent.split(' '))}`);
  }
  return lines.map(({ ironrun, agent }) => `${ironrun} agent -- ${agent}`);
}

/** `node_modules/@ironrun/cli` (this package) and its `.bin/ironrun` link, as npm or pnpm install it. */
async function installInProject(): Promise<void> {
  await mkdir(project.path('node_modules/@ironrun'), { recursive: true });
  await mkdir(project.path('node_modules/.bin'), { recursive: true });
  await symlink(cliPackage, project.path('node_modules/@ironrun/cli'));
  await symlink('../@ironrun/cli/dist/cli.js', project.path('node_modules/.bin/ironrun'));
}

describe('ironrun init: instructions that match the install', () => {
  it('a project install (npm): ./node_modules/.bin/ironrun, and each line the instructions give works', async () => {
    await installInProject();
    const init = await runIronrun(['init', '--agents', 'claude,codex'], { cwd: project.dir, env });
    expect(init.code, init.stderr).toBe(0);
    const lines = await runTheInstructions(systemPath);
    expect(lines).toEqual([
      './node_modules/.bin/ironrun list',
      './node_modules/.bin/ironrun run test',
      './node_modules/.bin/ironrun run test -- test/example.test.js',
    ]);
    expect(await runTheStartLines(init.stdout, systemPath)).toEqual([
      './node_modules/.bin/ironrun agent -- claude',
      './node_modules/.bin/ironrun agent -- codex',
    ]);
  });

  it('a project install in a pnpm project: pnpm exec ironrun, and each line works', async () => {
    await installInProject();
    await project.write({ 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" });
    const init = await runIronrun(['init', '--agents', 'codex'], { cwd: project.dir, env });
    expect(init.code, init.stderr).toBe(0);
    const lines = await runTheInstructions(systemPath);
    expect(lines[0]).toBe('pnpm exec ironrun list');
    expect(startLines(init.stdout)).toEqual([{ ironrun: 'pnpm exec ironrun', agent: 'codex' }]);
  });

  it('an ironrun on PATH (the one init ran as): plain ironrun, and each line works', async () => {
    await mkdir(home.path('bin'));
    await symlink(cliPath, home.path('bin/ironrun'));
    const shellPath = `${home.path('bin')}:${systemPath}`;
    const init = await runProcess('ironrun', ['init', '--agents', 'codex'], {
      cwd: project.dir,
      env: { ...env, PATH: shellPath },
    });
    expect(init.code, init.stderr).toBe(0);
    const lines = await runTheInstructions(shellPath);
    expect(lines[0]).toBe('ironrun list');
    expect(await runTheStartLines(init.stdout, shellPath)).toEqual(['ironrun agent -- codex']);
  });

  it('an install not on PATH: its absolute path, and each line works without it on PATH', async () => {
    await mkdir(home.path('tools/ironrun bin'), { recursive: true });
    const link = home.path('tools/ironrun bin/ironrun');
    await symlink(cliPath, link);
    const init = await runProcess(link, ['init', '--agents', 'codex'], {
      cwd: project.dir,
      env: { ...env, PATH: systemPath },
    });
    expect(init.code, init.stderr).toBe(0);
    const lines = await runTheInstructions(systemPath);
    // Quoted for the shell: the folder has a space.
    expect(lines[0]).toBe(`'${link}' list`);
    expect(await runTheStartLines(init.stdout, systemPath)).toEqual([`'${link}' agent -- codex`]);
  });

  it("run from npx's cache: npx -y with the running version pinned (not run here: it would fetch)", async () => {
    // A copy of this package as npx leaves it, its dependencies linked.
    const cached = home.path('.npm/_npx/1f2e3d4c5b6a7988/node_modules/@ironrun/cli');
    await mkdir(cached, { recursive: true });
    await cp(join(cliPackage, 'dist'), join(cached, 'dist'), { recursive: true });
    await cp(join(cliPackage, 'package.json'), join(cached, 'package.json'));
    await symlink(join(cliPackage, 'node_modules'), join(cached, 'node_modules'));
    const init = await runProcess(process.execPath, [join(cached, 'dist/cli.js'), 'init'], {
      cwd: project.dir,
      env: { ...env, PATH: systemPath },
    });
    expect(init.code, init.stderr).toBe(0);
    const { block, examples } = shellLines(await readFile(project.path('AGENTS.md'), 'utf8'));
    expect(block).toEqual([
      `npx -y @ironrun/cli@${version} list`,
      `npx -y @ironrun/cli@${version} run test`,
    ]);
    expect(examples).toEqual([`npx -y @ironrun/cli@${version} run test -- test/example.test.js`]);
    // The default agents' start lines have the same pinned form.
    const starts = startLines(init.stdout);
    expect(starts.map(({ agent }) => agent)).toEqual([
      'claude',
      'cursor .',
      'code .',
      'codex',
      'windsurf .',
    ]);
    expect(new Set(starts.map(({ ironrun }) => ironrun))).toEqual(
      new Set([`npx -y @ironrun/cli@${version}`]),
    );
  });
});

describe('ironrun init: AGENTS.md once, CLAUDE.md imports it', () => {
  const count = (text: string, what: string) => text.split(what).length - 1;

  it('writes the instructions only in AGENTS.md; CLAUDE.md imports them; a re-run changes nothing', async () => {
    await project.write({
      'AGENTS.md': '# Team rules\n\nTabs.\n',
      'CLAUDE.md': '# Claude rules\n',
    });
    expect((await runIronrun(['init'], { cwd: project.dir, env })).code).toBe(0);
    const agents = await readFile(project.path('AGENTS.md'), 'utf8');
    const claude = await readFile(project.path('CLAUDE.md'), 'utf8');
    expect(agents.startsWith('# Team rules\n\nTabs.\n')).toBe(true);
    expect(count(agents, '<!-- ironrun:start -->')).toBe(1);
    expect(count(agents, 'run_sealed')).toBeGreaterThan(0);
    expect(claude.startsWith('# Claude rules\n')).toBe(true);
    expect(claude).toMatch(
      /<!-- ironrun:start -->\n[\s\S]*^@AGENTS\.md$\n<!-- ironrun:end -->\n$/m,
    );
    expect(claude).not.toMatch(/run_sealed/);

    const again = await runIronrun(['init', '--json'], { cwd: project.dir, env });
    const report = JSON.parse(again.stdout) as { files: { path: string; status: string }[] };
    expect(report.files.filter(({ status }) => status !== 'unchanged')).toEqual([]);
    expect(await readFile(project.path('AGENTS.md'), 'utf8')).toBe(agents);
    expect(await readFile(project.path('CLAUDE.md'), 'utf8')).toBe(claude);
  });

  it("replaces an older init's full section in CLAUDE.md with the import, and updates AGENTS.md in place", async () => {
    const old = [
      '<!-- ironrun:start -->',
      '## Commands that need secrets run through ironrun',
      '- Run them with `run_sealed`, or `ironrun run <id>` in a shell.',
      '- Never run those commands directly.',
      '<!-- ironrun:end -->',
      '',
    ].join('\n');
    await project.write({ 'CLAUDE.md': `# Mine\n\n${old}`, 'AGENTS.md': `${old}\n# After\n` });
    expect((await runIronrun(['init'], { cwd: project.dir, env })).code).toBe(0);
    const claude = await readFile(project.path('CLAUDE.md'), 'utf8');
    const agents = await readFile(project.path('AGENTS.md'), 'utf8');
    expect(claude).not.toMatch(/Never run those commands directly|run_sealed/);
    expect(claude).toMatch(/^# Mine\n\n<!-- ironrun:start -->\n[\s\S]*^@AGENTS\.md$/m);
    expect(count(agents, '<!-- ironrun:start -->')).toBe(1);
    expect(agents).not.toMatch(/Never run those commands directly/);
    expect(agents).toMatch(/\n<!-- ironrun:end -->\n\n# After\n$/);
  });

  it('adds no second import to a CLAUDE.md that imports AGENTS.md itself, and removes an old section there', async () => {
    await project.write({
      'CLAUDE.md':
        '@AGENTS.md\n\n<!-- ironrun:start -->\n## old ironrun text\n<!-- ironrun:end -->\n',
    });
    const init = await runIronrun(['init', '--json'], { cwd: project.dir, env });
    const report = JSON.parse(init.stdout) as { files: { path: string; note?: string }[] };
    expect(report.files.find(({ path }) => path.endsWith('CLAUDE.md'))?.note).toBe(
      'it imports AGENTS.md already',
    );
    expect(await readFile(project.path('CLAUDE.md'), 'utf8')).toBe('@AGENTS.md\n');
    expect(await readFile(project.path('AGENTS.md'), 'utf8')).toMatch(/run_sealed/);
    const again = await runIronrun(['init', '--json'], { cwd: project.dir, env });
    expect(
      (JSON.parse(again.stdout) as { files: { status: string }[] }).files.every(
        ({ status }) => status === 'unchanged',
      ),
    ).toBe(true);
  });

  it('with --agents claude alone, writes AGENTS.md too (CLAUDE.md imports it)', async () => {
    expect((await runIronrun(['init', '--agents', 'claude'], { cwd: project.dir, env })).code).toBe(
      0,
    );
    expect(await readFile(project.path('CLAUDE.md'), 'utf8')).toMatch(/^@AGENTS\.md$/m);
    expect(await readFile(project.path('AGENTS.md'), 'utf8')).toMatch(/run_sealed/);
  });
});
