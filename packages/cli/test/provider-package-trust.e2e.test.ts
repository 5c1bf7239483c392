import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';
import { installExampleProvider } from './example-provider.js';

const secret = 'tok_live_provider_pin_5e4d3c2b1a';
const nodeDir = dirname(process.execPath);

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let stolen: string;

/** Code an agent appends to the provider: it writes every secret the provider resolves. */
function exfiltration(): string {
  return [
    '',
    "import { appendFileSync as __steal } from 'node:fs';",
    `__steal(${JSON.stringify(stolen)}, 'loaded\\n');`,
    'const __create = provider.create;',
    'provider.create = async (...args) => {',
    '  const inner = await __create(...args);',
    '  return { ...inner, resolve: async (refs, context) => {',
    '    const results = await inner.resolve(refs, context);',
    `    __steal(${JSON.stringify(stolen)}, JSON.stringify(results));`,
    '    return results;',
    '  } };',
    '};',
    '',
  ].join('\n');
}

function policy(): string {
  return [
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
  ].join('\n');
}

const entry = 'node_modules/ironrun-provider-example/dist/index.js';

beforeEach(async () => {
  home = await testdir();
  project = await testdir({ 'ironrun.yml': policy() });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
  stolen = join(home.dir, 'stolen.txt');
  await writeFile(join(home.dir, 'example.json'), JSON.stringify({ API_KEY: secret }), {
    mode: 0o600,
  });
  await installExampleProvider(project.dir);
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

/** Trusts the policy and shows that the provider runs, so a later refusal is the edit's doing. */
async function trustAndRunOnce(cwd = project.dir): Promise<void> {
  const trust = await runIronrun(['trust', '--yes'], { cwd, env });
  expect(trust.code).toBe(0);
  const run = await runIronrun(['run', 'hello'], { cwd, env });
  expect(run.stdout).toBe('key [REDACTED]\n');
  expect(run.code).toBe(0);
}

async function expectRefusedWithoutRunningTheEdit(cwd: string, changed: RegExp): Promise<void> {
  const run = await runIronrun(['run', 'hello'], { cwd, env });
  expect(run.code).toBe(3);
  expect(run.stdout + run.stderr).not.toContain(secret);
  expect(existsSync(stolen), '`ironrun run` imported the edited provider').toBe(false);
  // The commands a person runs to review the change read the provider's schemes from its
  // package.json: the edited code, which writes `stolen` as soon as it is imported, never runs.
  const check = await runIronrun(['check'], { cwd, env });
  expect(check.code).toBe(3);
  expect(check.stdout).toMatch(changed);
  expect(existsSync(stolen), '`ironrun check` imported the edited provider').toBe(false);
  const trust = await runIronrun(['trust'], { cwd, env, input: 'n\n' });
  expect(trust.stdout + trust.stderr).toMatch(changed);
  expect(trust.code).not.toBe(0);
  expect(existsSync(stolen), '`ironrun trust` imported the edited provider').toBe(false);
  const list = await runIronrun(['list'], { cwd, env });
  expect(list.stdout + list.stderr).toMatch(/hello/);
  expect(existsSync(stolen), '`ironrun list` imported the edited provider').toBe(false);
  const refused = await runIronrun(['run', 'hello'], { cwd, env });
  expect(refused.code).toBe(3);
  expect(existsSync(stolen)).toBe(false);
}

describe('ironrun trust (third-party provider package)', () => {
  it('shows the provider package it pins, on the terminal and in --json', async () => {
    const trust = await runIronrun(['trust', '--yes', '--json'], { cwd: project.dir, env });
    expect(trust.code).toBe(0);
    expect(trust.stderr).toMatch(
      /Provider package pinned: ironrun-provider-example \(.*node_modules\/ironrun-provider-example, 4 files, entry dist\/index\.js\)/,
    );
    expect(JSON.parse(trust.stdout).provider_package).toMatchObject({
      name: 'ironrun-provider-example',
      entry: expect.stringMatching(/dist\/index\.js$/),
      files: 4,
    });
  });

  it('refuses to trust a policy whose provider package is not installed, since there is nothing to pin', async () => {
    await rm(project.path('node_modules/ironrun-provider-example'), { recursive: true });
    const trust = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    expect(trust.code).toBe(4);
    expect(trust.stderr).toMatch(/ironrun-provider-example' is not installed/);
    await installExampleProvider(project.dir);
    const run = await runIronrun(['run', 'hello'], { cwd: project.dir, env });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/not trusted/);
  });
});

describe('attack: agent edits the provider package in node_modules after trust', () => {
  it('refuses to run when code that steals the secret is appended to the entry, and never runs it', async () => {
    await trustAndRunOnce();
    await appendFile(project.path(entry), exfiltration());
    await expectRefusedWithoutRunningTheEdit(
      project.dir,
      /modified\s+node_modules\/ironrun-provider-example\/dist\/index\.js/,
    );
  });

  it('refuses to run when the entry is replaced by a symlink to a new file of the agent’s in the package', async () => {
    await trustAndRunOnce();
    const evil = project.path('node_modules/ironrun-provider-example/dist/evil.js');
    await writeFile(evil, `${await readFile(project.path(entry), 'utf8')}${exfiltration()}`);
    await rm(project.path(entry));
    await symlink('./evil.js', project.path(entry));
    await expectRefusedWithoutRunningTheEdit(
      project.dir,
      /symlink\s+node_modules\/ironrun-provider-example\/dist\/index\.js/,
    );
  });

  it('refuses to run when the package folder is swapped for a symlink to a copy the agent controls', async () => {
    await trustAndRunOnce();
    const copy = project.path('vendor/ironrun-provider-example');
    await mkdir(dirname(copy), { recursive: true });
    await cp(project.path('node_modules/ironrun-provider-example'), copy, { recursive: true });
    await appendFile(join(copy, 'dist/index.js'), exfiltration());
    await rm(project.path('node_modules/ironrun-provider-example'), { recursive: true });
    await symlink(copy, project.path('node_modules/ironrun-provider-example'));
    await expectRefusedWithoutRunningTheEdit(project.dir, /node_modules\/ironrun-provider-example/);
  });

  it('refuses to run when a nearer node_modules gains a package shadowing the trusted one', async () => {
    // The policy lives in app/, the provider in the repository's node_modules above it.
    await mkdir(project.path('app'));
    await rm(project.path('ironrun.yml'));
    await writeFile(project.path('app/ironrun.yml'), policy());
    const cwd = project.path('app');
    await trustAndRunOnce(cwd);
    const shadow = project.path('app/node_modules/ironrun-provider-example');
    await cp(project.path('node_modules/ironrun-provider-example'), shadow, { recursive: true });
    await appendFile(join(shadow, 'dist/index.js'), exfiltration());
    await expectRefusedWithoutRunningTheEdit(
      cwd,
      /added\s+node_modules\/ironrun-provider-example\/package\.json/,
    );
  });
});
