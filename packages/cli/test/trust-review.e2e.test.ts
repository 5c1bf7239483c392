import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';

const nodeDir = dirname(process.execPath);

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;

beforeEach(async () => {
  home = await testdir();
  project = await testdir({ 'app/.keep': '', 'lib/shared.js': '1\n', 'conf/а.json': '{}\n' });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config'), NO_COLOR: '1' };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

// Every field a command can have. The agent wrote it: a hidden character in
// each string it controls (RLO U+202E, zero-width space U+200B, ESC, BEL, a
// Cyrillic а that looks like a Latin a).
function everyField(): string {
  return `version: 1
provider:
  name: envfile
  path: "~/secrets\\u200b.env"
commands:
  - id: deploy
    description: "deploy \\e[2Jnow\\a"
    argv: [node, "scripts/dep\\u202eloy.js", --config=../conf/а.json]
    cwd: app
    path: "${nodeDir}:/usr/bin"
    env:
      STRIPE: envfile://STRIPE_KEY
      MODE: "prod\\u200b"
      PYTHONPATH: /opt/lib
    allow_loader_env: [PYTHONPATH]
    allow: [/usr/bin/env]
    pin: [lib/shared.js]
    args: { pattern: "[a-z]+", max: 3, allow_options: true }
    confirm: true
    ttl: 30s
    no_network: true
    max_output: 1KiB
`;
}

/** The review lines of one field: its values, one per line after the key. */
function fieldBlock(output: string, key: string): string {
  const start = output.indexOf(`    ${key} `);
  expect(start, `the review shows ${key}`).toBeGreaterThanOrEqual(0);
  const rest = output.slice(start + 4 + key.length);
  const end = rest.search(/\n {4}\S/);
  return rest.slice(0, end === -1 ? undefined : end);
}

describe('ironrun trust review', () => {
  it('shows every field of every command and the provider options, escaped and flagged', async () => {
    await project.write({ 'ironrun.yml': everyField() });
    const run = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    const out = run.stderr;
    expect(run.code, out).toBe(0);
    // Nothing that rewrites or hides text reaches the terminal.
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u200b\u202e]/);

    expect(out).toContain('Provider: envfile');
    expect(out).toContain('path="~/secrets\\u{200b}.env" ⚠ invisible');
    expect(fieldBlock(out, 'description')).toContain('deploy \\u{1b}[2Jnow\\u{7} ⚠ control');
    const argv = fieldBlock(out, 'argv');
    expect(argv).toContain('node\n');
    expect(argv).toContain('scripts/dep\\u{202e}loy.js ⚠ bidi');
    expect(argv).toContain('--config=../conf/а.json ⚠ non-ascii');
    expect(fieldBlock(out, 'cwd')).toContain(join(project.dir, 'app'));
    const path = fieldBlock(out, 'path');
    expect(path).toContain(nodeDir);
    expect(path).toContain('/usr/bin');
    expect(fieldBlock(out, 'allow_loader_env')).toContain('PYTHONPATH');
    expect(fieldBlock(out, 'allow')).toContain('/usr/bin/env');
    expect(fieldBlock(out, 'pin')).toContain('lib/shared.js');
    const args = fieldBlock(out, 'args');
    expect(args).toContain('pattern=[a-z]+');
    expect(args).toContain('max=3');
    expect(args).toContain('allow_options=true');
    expect(fieldBlock(out, 'confirm')).toContain('true');
    expect(fieldBlock(out, 'ttl (ms)')).toContain('30000');
    expect(fieldBlock(out, 'no_network')).toContain('true');
    expect(fieldBlock(out, 'max_output (bytes)')).toContain('1024');
    const envBlock = fieldBlock(out, 'env');
    expect(envBlock).toContain('STRIPE = envfile://STRIPE_KEY  (secret reference');
    expect(envBlock).toContain('MODE = prod\\u{200b} ⚠ invisible  (plain value)');
    expect(envBlock).toMatch(
      /PYTHONPATH = \/opt\/lib {2}\(plain value\) ⚠ makes the program load code/,
    );

    // What is pinned: what planPins finds, with its state now.
    expect(out).toMatch(/[0-9a-f]{12} +\S*lib\/shared\.js {2}pin/);
    expect(out).toMatch(/absent +\S*scripts\/dep\\u\{202e\}loy\.js ⚠ bidi {2}script/);
    expect(out).toMatch(/[0-9a-f]{12} +\S*conf\/а\.json ⚠ non-ascii {2}option-value/);
    // node (~100 MB) is pinned by its stat fingerprint, as trust records files over 4 MiB.
    expect(out).toMatch(new RegExp(`by stat +${nodeDir}/node {2}program`));
    expect(out).toMatch(/⚠ Some values hold control, bidirectional, invisible or non-ASCII/);
  });

  it('shows the lines that changed since the last trust, and which commands changed', async () => {
    const before = `version: 1\nprovider: envfile\ncommands:\n  - id: build\n    argv: [node, -e, "1"]\n    path: ${nodeDir}\n  - id: deploy\n    argv: [node, -e, "2"]\n    path: ${nodeDir}\n    env: { MODE: staging }\n  - id: old\n    argv: [node, -e, "3"]\n    path: ${nodeDir}\n`;
    await project.write({ 'ironrun.yml': before });
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    // The agent edits one command and removes another, hoping nobody reads the whole file.
    const after = before
      .replace('env: { MODE: staging }', 'env: { MODE: "production\\e[1A" }')
      .replace(/ {2}- id: old\n.*\n.*\n$/, '');
    expect(after).not.toBe(before);
    await writeFile(project.path('ironrun.yml'), after);
    const run = await runIronrun(['trust', '--yes'], { cwd: project.dir, env });
    const out = run.stderr;
    expect(run.code, out).toBe(0);
    expect(out).toContain('The policy text, against the one last trusted:');
    expect(out).toContain('    -     env: { MODE: staging }\n');
    expect(out).toContain('    +     env: { MODE: "production\\\\e[1A" }\n');
    expect(out).toContain('    -   - id: old\n');
    expect(out).toMatch(/ {2}deploy {2}\[changed since the last trust\]/);
    expect(out).toMatch(/ {2}build {2}\[unchanged\]/);
    expect(out).toContain('Removed since the last trust: old');
    expect(out).toContain('MODE = production\\u{1b}[1A ⚠ control  (plain value)');
    expect(out).not.toContain('\x1b');
    expect(await readFile(project.path('ironrun.yml'), 'utf8')).toBe(after);
  });
});

describe('ironrun trust pins', () => {
  it('refuses, before asking, a path: folder that really lies inside the project', async () => {
    await mkdir(project.path('bin'), { recursive: true });
    // Outside by its text, inside by what it resolves to: the agent writes there.
    await symlink(project.path('bin'), join(home.dir, 'tools'));
    await project.write({
      'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: x\n    argv: [tool]\n    path: ${join(home.dir, 'tools')}:/usr/bin\n`,
    });
    const run = await runIronrun(['trust'], { cwd: project.dir, env });
    expect(run.stderr).toMatch(
      /Cannot trust: command x: .*tools: this path: folder really lies inside the project/,
    );
    expect(run.stderr).not.toMatch(/\[y\/N\]|needs a person at a terminal/);
    expect(run.code).toBe(2);
  });
});
