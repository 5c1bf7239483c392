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
    'ironrun.yml': `version: 1\nprovider: envfile\ncommands:\n  - id: lint\n    argv: [node, -e, "console.log('lint ok')"]\n    path: ${nodeDir}\n  - id: deploy\n    argv: [node, -e, "console.log('deployed')"]\n    path: ${nodeDir}\n`,
  });
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config'), NO_COLOR: '1' };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

describe('ironrun trust <id>', () => {
  it('trusts the one command reviewed, and leaves a changed other command refused', async () => {
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    // Both entries change; the person reviews and trusts lint only.
    const text = await readFile(project.path('ironrun.yml'), 'utf8');
    await writeFile(
      project.path('ironrun.yml'),
      text
        .replace("console.log('lint ok')", "console.log('lint ok v2')")
        .replace("console.log('deployed')", "console.log('deployed elsewhere')"),
    );
    expect((await runIronrun(['run', 'lint'], { cwd: project.dir, env })).code).toBe(3);
    expect((await runIronrun(['run', 'deploy'], { cwd: project.dir, env })).code).toBe(3);

    const trust = await runIronrun(['trust', 'lint', '--yes'], { cwd: project.dir, env });
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stderr).toMatch(/Trusting the command "lint" of /);
    expect(trust.stderr).toMatch(/^ {2}lint {2}\[changed since the last trust\]$/m);
    expect(trust.stderr).not.toMatch(/^ {2}deploy\b/m); // only what is trusted is reviewed
    expect(trust.stderr).toMatch(/Agents can now run "lint"/);

    const lint = await runIronrun(['run', 'lint'], { cwd: project.dir, env });
    expect(lint.stdout).toBe('lint ok v2\n');
    expect(lint.code).toBe(0);
    const deploy = await runIronrun(['run', 'deploy'], { cwd: project.dir, env });
    expect(deploy.stdout).not.toContain('deployed');
    expect(deploy.code).toBe(3);

    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
    expect((await runIronrun(['run', 'deploy'], { cwd: project.dir, env })).code).toBe(0);
  });

  it('refuses an id the policy does not have, naming the ones it has', async () => {
    const run = await runIronrun(['trust', 'nope', '--yes'], { cwd: project.dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no command "nope"/);
    expect(run.stderr).toMatch(/lint, deploy/);
    expect((await runIronrun(['check'], { cwd: project.dir, env })).code).toBe(3);
  });
});
