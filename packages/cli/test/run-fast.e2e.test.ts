import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSealed, toAgentResult } from '@ironrun/core';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIronrun, runProcess } from './cli-process.js';
import { type TrustedProject, trustedProject } from './trusted-project.js';

// `ironrun run` goes through dist/run.cjs, one file with core and the packages it runs bundled
// in (src/run-fast.ts, tsup.config.ts). These check what the bundling could break.

let fixture: TrustedProject;
let project: TestDir;
let env: Record<string, string>;

beforeEach(async () => {
  fixture = await trustedProject();
  ({ project, env } = fixture);
});

afterEach(() => fixture.cleanup());

describe('ironrun run from its single file', () => {
  it('has the isolation core gives the same command in this process (the native init is found from the bundle)', async () => {
    const run = await runIronrun(['run', 'ok', '--json'], { cwd: project.dir, env });
    expect(run.code, run.stderr).toBe(0);
    const direct = toAgentResult(
      await runSealed({
        policy: project.path('ironrun.yml'),
        commandId: 'ok',
        configDir: env.IRONRUN_CONFIG_DIR,
      }),
    );
    expect(JSON.parse(run.stdout).isolation).toBe(direct.isolation);
  });

  it('hands --help, unknown options and stray arguments to the full command line', async () => {
    const help = await runIronrun(['run', '--help'], { cwd: project.dir, env });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/USAGE ironrun run/);
    const unknown = await runIronrun(['run', 'ok', '--bogus'], { cwd: project.dir, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option --bogus/);
    const stray = await runIronrun(['run', 'ok', 'extra'], { cwd: project.dir, env });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/Unexpected argument "extra"/);
  });

  it('reports errors as the full command line does, JSON included', async () => {
    const run = await runIronrun(['run', 'nope', '--json'], { cwd: project.dir, env });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'UNKNOWN_COMMAND', message: expect.stringMatching(/no command 'nope'/) },
    });
    expect(run.stderr).toMatch(/Run `ironrun list`/);
  });

  it('through the ES entry (dist/cli.js) loads no ES module but cli.js and its loader, and no package, for a command without secrets', async () => {
    // Node's own debug logs of its module loaders name each ES module it translates and each
    // CommonJS module it loads: run.cjs is compiled by the loader itself, and requires only
    // built-ins.
    const esEntry = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const run = await runProcess(process.execPath, [esEntry, 'run', 'ok'], {
      cwd: project.dir,
      env: { ...env, NODE_DEBUG: 'esm,module' },
    });
    expect(run.code, run.stderr).toBe(0);
    const loaded = [...run.stderr.matchAll(/Translating \w+ (file:\S+)/g)].map((match) =>
      (match[1] as string).replace(/^.*\/dist\//, 'dist/'),
    );
    expect(loaded).toEqual(['dist/cli.js', 'dist/run-bundle.js']);
    const required = [...run.stderr.matchAll(/Module\._load REQUEST (\S+)/g)].map(
      (match) => match[1] as string,
    );
    expect(required).toContain('child_process');
    expect(required.filter((name) => !isBuiltin(name))).toEqual([]);
  });

  it('through the bin (package.json bin, CommonJS) loads no ES module at all, and falls back to the command table', async () => {
    const packageJson = fileURLToPath(new URL('../package.json', import.meta.url));
    const { bin } = JSON.parse(await readFile(packageJson, 'utf8')) as {
      bin: { ironrun: string };
    };
    const binPath = join(dirname(packageJson), bin.ironrun);
    const run = await runProcess(process.execPath, [binPath, 'run', 'ok'], {
      cwd: project.dir,
      env: { ...env, NODE_DEBUG: 'esm,module' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(
      [...run.stderr.matchAll(/Translating \w+ (file:\S+)/g)].map((match) => match[1]),
    ).toEqual([]);
    // A command line the fast path hands back, and another command, go to the ES entries.
    const help = await runProcess(process.execPath, [binPath, 'run', '--help'], {
      cwd: project.dir,
      env,
    });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/USAGE ironrun run/);
    const list = await runProcess(process.execPath, [binPath, 'list'], { cwd: project.dir, env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ok /m);
  });

  it('through the bin loads none of the built-ins a one-shot run does without', async () => {
    // Each is milliseconds on every run (bench/run-overhead.bench.mjs): Node's ES resolver of
    // package `exports` (the native init is found by its package.json, installed-package-file.ts
    // of @ironrun/sandbox), node:fs/promises (the checks before the spawn read synchronously;
    // the modules that write, or serve a broker, look `fs.promises` up at the call) and the file
    // streams (a pinned file is hashed from reads of its own). Node lists every built-in it
    // loaded in process.moduleLoadList.
    const binPath = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
    const listed = project.path('loaded.txt');
    const preload = project.path('list-loaded.cjs');
    await writeFile(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listed)}, process.moduleLoadList.join('\\n')));\n`,
    );
    const run = await runProcess(
      process.execPath,
      ['-r', preload, binPath, 'run', 'ok', '--json'],
      {
        cwd: project.dir,
        env,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).exit_code).toBe(0);
    const loaded = (await readFile(listed, 'utf8')).split('\n');
    expect(loaded).toContain('NativeModule child_process');
    const avoided = [
      'NativeModule internal/modules/esm/resolve',
      'NativeModule fs/promises',
      'NativeModule internal/fs/promises',
      'NativeModule internal/fs/streams',
      'NativeModule internal/readline/interface',
    ];
    expect(loaded.filter((name) => avoided.includes(name))).toEqual([]);
  });

  it('loads from an install path with a space in it', async () => {
    // The bin and its files copied to such a folder, beside a node_modules with core.
    const install = await testdir();
    try {
      const cli = join(install.dir, 'my tools', 'cli');
      await mkdir(join(cli, 'node_modules', '@ironrun'), { recursive: true });
      await cp(fileURLToPath(new URL('../dist', import.meta.url)), join(cli, 'dist'), {
        recursive: true,
      });
      await cp(
        fileURLToPath(new URL('../package.json', import.meta.url)),
        join(cli, 'package.json'),
      );
      await symlink(
        dirname(createRequire(import.meta.url).resolve('@ironrun/core/package.json')),
        join(cli, 'node_modules', '@ironrun', 'core'),
      );
      const run = await runProcess(
        process.execPath,
        [join(cli, 'dist', 'cli.js'), 'run', 'ok', '--json'],
        {
          cwd: project.dir,
          env,
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).exit_code).toBe(0);
    } finally {
      await install.cleanup();
    }
  });
});
