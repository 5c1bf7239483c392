import { readFile, writeFile } from 'node:fs/promises';
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
  project = await testdir({
    'package.json': JSON.stringify({ name: 'argsy', scripts: { test: 'node --test' } }),
    'test/passes.test.mjs': "import test from 'node:test';\ntest('passes', () => {});\n",
    'test/fails.test.mjs':
      "import test from 'node:test';\ntest('fails', () => { throw new Error('red'); });\n",
    // What an option-injection attack would load: it must never run.
    'evil.cjs': "require('node:fs').writeFileSync(__dirname + '/pwned', 'x');\n",
  });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

describe('ironrun init: test arguments', () => {
  it('lets the agent run one test file through the generated args, and refuses anything else', async () => {
    expect((await runIronrun(['init', '--agents', 'codex'], { cwd: project.dir, env })).code).toBe(
      0,
    );
    const path = project.path('ironrun.yml');
    const policy = await readFile(path, 'utf8');
    expect(policy).toMatch(/argv: \[npm, run, test, "--"\]\n/);
    expect(policy).toMatch(/args:\n\s+pattern: '/);
    // npm must be found in the seal (toolchain detection is another step of init).
    await writeFile(
      path,
      policy.replace(
        '    argv: [npm, run, test, "--"]\n',
        `    argv: [npm, run, test, "--"]\n    path: ${nodeDir}:/usr/bin:/bin\n`,
      ),
    );
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);

    const list = await runIronrun(['list'], { cwd: project.dir, env });
    expect(list.stdout).toMatch(/args: up to 8, each matching \/.+\/ in full; no options/);
    const listed = JSON.parse(
      (await runIronrun(['list', '--json'], { cwd: project.dir, env })).stdout,
    );
    expect(listed.commands[0]).toMatchObject({
      accepts_args: true,
      max_args: 8,
      allow_options: false,
    });

    const all = await runIronrun(['run', 'test'], { cwd: project.dir, env });
    expect(all.code).not.toBe(0); // fails.test.mjs fails

    const one = await runIronrun(['run', 'test', '--', 'test/passes.test.mjs'], {
      cwd: project.dir,
      env,
    });
    expect(one.stdout + one.stderr).toMatch(/# pass 1/);
    expect(one.code).toBe(0);

    for (const attack of [
      ['--require', './evil.cjs'],
      ['--require=./evil.cjs'],
      ['-r', 'evil.cjs'],
      ['--import=./evil.cjs'],
      ['--', '--require=./evil.cjs'],
      ['../outside.test.mjs'],
      [`${project.dir}/test/passes.test.mjs`],
      ['test/passes.test.mjs\n--require=./evil.cjs'],
      ['test/passes.test.mjs; node evil.cjs'],
      ['NODE_OPTIONS=--require=./evil.cjs'],
    ]) {
      const run = await runIronrun(['run', 'test', '--', ...attack], { cwd: project.dir, env });
      expect(run.code, JSON.stringify(attack)).not.toBe(0);
      expect(run.stderr, JSON.stringify(attack)).toMatch(/argument/);
      expect(run.stdout + run.stderr).not.toMatch(/# pass/);
    }
    await expect(readFile(project.path('pwned'))).rejects.toThrow();
  });
});
