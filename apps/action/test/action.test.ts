import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trust } from '@ironrun/policy';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundledActionRun, runBundledAction } from './run-bundled-action.js';

const secret = 'sk_live_4f9a8b7c6d5e4f3a2b1c';
const pem = [
  '-----BEGIN TEST KEY-----',
  'MIIBVwIBADANBgkqhkiG9w0BAQEFAASC',
  'AUEwggE9AgEAAkEAq7BFUpkGp3LQmlQx',
  '-----END TEST KEY-----',
].join('\n');
const dotenv = `API_KEY=${secret}\nPEM_KEY="${pem}"\n`;
const node = JSON.stringify(process.execPath);

const policy = `version: 1
provider: envfile
commands:
  - id: leak
    argv: [${node}, print.mjs, leak]
    env:
      API_KEY: envfile://API_KEY
      PEM_KEY: envfile://PEM_KEY
  - id: fail
    argv: [${node}, print.mjs, fail]
  - id: hang
    argv: [${node}, print.mjs, hang]
    ttl: 1s
  - id: hang-long
    argv: [${node}, print.mjs, hang]
    ttl: 5m
  - id: forge
    argv: [${node}, print.mjs, forge]
    env:
      API_KEY: envfile://API_KEY
  - id: args
    argv: [${node}, print.mjs, args]
    args: { pattern: '[a-z ]+', max: 3 }
  - id: list
    argv: [${node}, print.mjs, list]
    env:
      API_KEY: envfile://API_KEY
    args: { pattern: '/.*', max: 1 }
  - id: env
    argv: [${node}, print.mjs, env]
    env:
      API_KEY: envfile://API_KEY
  - id: approve
    argv: [${node}, print.mjs, args]
    confirm: true
  - id: missing
    argv: [${node}, print.mjs, leak]
    env:
      API_KEY: envfile://NOT_THERE
`;

/** Every place a secret could reach the runner other than an ::add-mask:: line. */
function expectNoSecret(run: BundledActionRun, values: readonly string[]) {
  const places = { log: run.log, summary: run.summary, outputs: JSON.stringify(run.outputs) };
  for (const [place, text] of Object.entries(places)) {
    for (const value of values)
      expect(text.includes(value), `${place} contains a secret`).toBe(false);
  }
}

const pemLines = pem.split('\n');
const secretForms = [
  secret,
  Buffer.from(secret).toString('hex'),
  encodeURIComponent(`${secret}`),
  ...pemLines.filter((line) => line.length >= 6),
];

let project: TestDir;

beforeAll(async () => {
  project = await testdir({
    'ironrun.yml': policy,
    'print.mjs': await readFile(join(import.meta.dirname, 'fixtures/print.mjs'), 'utf8'),
  });
});

afterAll(async () => {
  await project.cleanup();
});

const run = (
  inputs: Record<string, string>,
  extra: Partial<Parameters<typeof runBundledAction>[0]> = {},
) => runBundledAction({ cwd: project.dir, inputs: { envfile: dotenv, ...inputs }, ...extra });

describe('dist/index.js', () => {
  it('runs a command with secrets from the envfile input and sets every output', async () => {
    const result = await run({ command: 'leak' });
    expect(result.exitCode).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.outputs['exit-code']).toBe('0');
    expect(result.outputs['timed-out']).toBe('false');
    expect(Number(result.outputs['duration-ms'])).toBeGreaterThanOrEqual(0);
    expect(Number(result.outputs.redactions)).toBeGreaterThanOrEqual(8);
    expect(result.log).toContain('raw: [REDACTED]');
    expect(result.log).toContain('stderr: [REDACTED]');
    expect(result.log).toContain('split: [REDACTED] end');
  });

  it('registers the raw value and its encodings with ::add-mask:: before the command prints anything', async () => {
    const result = await run({ command: 'leak' });
    for (const form of [secret, ...pemLines]) expect(result.masks).toContain(form);
    expect(result.masks).toContain(Buffer.from(secret).toString('hex'));
    const base64 = Buffer.from(`Authorization: ${secret}`).toString('base64');
    expect(result.masks.some((mask) => mask.length >= 20 && base64.includes(mask))).toBe(true);
    expect(result.masks).toContain(pem);
    const lines = result.stdout.split('\n');
    const lastMask = lines.findLastIndex((line) => line.startsWith('::add-mask::'));
    expect(lastMask).toBeGreaterThanOrEqual(0);
    expect(lastMask).toBeLessThan(lines.indexOf('start'));
  });

  it('never lets a secret reach the log, the summary or the outputs, in any encoding', async () => {
    const result = await run({ command: 'leak' });
    expectNoSecret(result, secretForms);
    // The base64 line carries the secret at an offset; none of its aligned forms may remain.
    const base64Line = result.log.split('\n').find((line) => line.startsWith('base64: '));
    expect(base64Line).toContain('[REDACTED]');
  });

  it('writes a job summary table with the facts of the run and no value', async () => {
    const result = await run({ command: 'leak' });
    expect(result.summary).toContain('<table>');
    for (const cell of ['leak', 'passed', 'exit code', 'redactions', 'timed out']) {
      expect(result.summary).toContain(cell);
    }
    expectNoSecret(result, secretForms);
  });

  it('fails the step with the exit code when the command fails', async () => {
    const result = await run({ command: 'fail' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['exit-code']).toBe('3');
    expect(result.errors).toEqual(['ironrun: "fail" failed with exit code 3']);
    expect(result.log).toContain('something went wrong');
    expect(result.summary).toContain('failed');
  });

  it('fails the step when the command runs past its ttl, and reports timed-out', async () => {
    const result = await run({ command: 'hang' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['timed-out']).toBe('true');
    expect(result.outputs['exit-code']).toBe('');
    expect(result.errors).toEqual([
      'ironrun: "hang" timed out after its ttl of 1000 ms and was killed',
    ]);
    expect(result.summary).toContain('timed out');
  }, 30_000);

  it('kills the command and fails the step when the job is cancelled (SIGTERM to the action)', async () => {
    const result = await run(
      { command: 'hang-long' },
      { kill: { signal: 'SIGTERM', after: 'hanging' } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(['ironrun: "hang-long" was canceled and killed']);
    expect(result.summary).toContain('canceled');
    expect(result.outputs['timed-out']).toBe('false');
  }, 30_000);

  it('masks credential inputs and keeps them, and the runner variables, out of the command', async () => {
    const token = 'dp.st.prd.9f8e7d6c5b4a39281706';
    const result = await run(
      { command: 'env', 'doppler-token': token },
      { env: { DOPPLER_TOKEN: 'from-the-step-env', NODE_OPTIONS: '--max-old-space-size=512' } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.masks).toContain(token);
    const line = result.log.split('\n').find((text) => text.startsWith('env: '));
    const names = JSON.parse(line?.slice(5) ?? 'null') as string[];
    expect(names).toContain('API_KEY');
    for (const name of names)
      expect(name).toMatch(/^(API_KEY|PATH|HOME|LANG|TERM|LC_[A-Z]+|TMPDIR)$/);
    expectNoSecret(result, [token]);
  });

  it('loads the 1Password SDK and its WebAssembly core from next to the bundle', async () => {
    const onePassword = await testdir({
      'ironrun.yml': `version: 1
provider:
  name: 1password
  mode: sdk
commands:
  - id: x
    argv: [${node}, -e, '0']
    env:
      K: op://vault/item/field
`,
    });
    try {
      // A well-formed but unusable token: the SDK (running in WebAssembly) refuses it
      // locally. Had the .wasm file been missing, the SDK would fail to load instead.
      const token = `ops_${Buffer.from('{"signInAddress":"my.1password.com"}').toString('base64')}`;
      const result = await runBundledAction({
        cwd: onePassword.dir,
        inputs: { command: 'x', 'op-service-account-token': token },
      });
      expect(result.exitCode).toBe(1);
      expect(result.masks).toContain(token);
      expect(result.errors[0]).toContain('was refused');
      expect(result.errors[0]).not.toContain('SDK failed');
      expectNoSecret(result, [token]);
    } finally {
      await onePassword.cleanup();
    }
  });

  it('refuses the envfile input for a policy whose provider is not envfile', async () => {
    const other = await testdir({
      'ironrun.yml': `version: 1\nprovider: doppler\ncommands:\n  - id: x\n    argv: [${node}, -e, '0']\n`,
    });
    try {
      const result = await runBundledAction({
        cwd: other.dir,
        inputs: { command: 'x', envfile: dotenv },
      });
      expect(result.exitCode).toBe(1);
      expect(result.errors[0]).toContain(`Input "envfile" is for the envfile provider`);
      expect(result.summary).toContain('INPUT_INVALID');
    } finally {
      await other.cleanup();
    }
  });

  it('registers masks for a third-party provider package too, in both trust modes', async () => {
    const value = 'plugin-value-8c7b6a5d4e3f';
    const plugin = await testdir({
      'ironrun.yml': `version: 1\nprovider: ironrun-provider-fake\ncommands:\n  - id: x\n    argv: [${node}, -e, 'console.log(process.env.V)']\n    env:\n      V: fake://v\n`,
      'node_modules/ironrun-provider-fake/package.json': JSON.stringify({
        name: 'ironrun-provider-fake',
        ironrun: { schemes: ['fake'] },
        type: 'module',
        exports: './index.js',
      }),
      'node_modules/ironrun-provider-fake/index.js': `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./loaded.marker', import.meta.url), '');
export const provider = {
  name: 'ironrun-provider-fake', schemes: ['fake'], parseOptions: () => ({}),
  create: () => ({ name: 'fake', resolve: async (refs) => refs.map((ref) => ({ ref, found: true, value: ${JSON.stringify(value)} })) }),
};\n`,
    });
    const configDir = await testdir({});
    const providerLoaded = () =>
      existsSync(plugin.path('node_modules/ironrun-provider-fake/loaded.marker'));
    try {
      const untrusted = await runBundledAction({
        cwd: plugin.dir,
        inputs: { command: 'x', trust: 'pinned', 'trust-dir': configDir.dir },
      });
      expect(untrusted.exitCode).toBe(1);
      expect(untrusted.summary).toContain('TRUST_UNTRUSTED');
      expect(providerLoaded()).toBe(false); // no code of an untrusted policy's provider runs

      const result = await runBundledAction({ cwd: plugin.dir, inputs: { command: 'x' } });
      expect(result.exitCode).toBe(0);
      expect(result.masks).toContain(value);
      expect(result.log).toContain('[REDACTED]');
      expectNoSecret(result, [value]);
      expect(providerLoaded()).toBe(true);

      await trust(plugin.path('ironrun.yml'), { configDir: configDir.dir, schemes: ['fake'] });
      const pinned = await runBundledAction({
        cwd: plugin.dir,
        inputs: { command: 'x', trust: 'pinned', 'trust-dir': configDir.dir },
      });
      expect(pinned.exitCode).toBe(0);
      expect(pinned.masks).toContain(value);
      expect(pinned.log).toContain('[REDACTED]');
      expectNoSecret(pinned, [value]);

      await plugin.write({
        'ironrun.yml':
          'version: 1\nprovider: ironrun-provider-absent\ncommands:\n  - id: x\n    argv: [/bin/true]\n    env:\n      V: absent://v\n',
      });
      const missing = await runBundledAction({ cwd: plugin.dir, inputs: { command: 'x' } });
      expect(missing.exitCode).toBe(1);
      expect(missing.errors[0]).toContain("'ironrun-provider-absent' is not installed");
    } finally {
      await plugin.cleanup();
      await configDir.cleanup();
    }
  });

  it('refuses an unknown command, naming the valid ids, without setting outputs', async () => {
    const result = await run({ command: 'deploy' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain("no command 'deploy'");
    expect(result.errors[0]).toContain('leak');
    expect(result.outputs).toEqual({});
    expect(result.summary).toContain('refused');
    expect(result.summary).toContain('UNKNOWN_COMMAND');
  });

  it('refuses a run without the command input', async () => {
    const result = await run({ command: '' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain('Input "command" is required');
  });

  it('refuses a secret missing from the envfile, naming the reference and no value', async () => {
    const result = await run({ command: 'missing' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain('envfile://NOT_THERE');
    expectNoSecret(result, secretForms);
  });

  it('passes args given one per line or as JSON, checked by the policy', async () => {
    const lines = await run({ command: 'args', args: 'alpha\n  beta gamma \n' });
    expect(lines.exitCode).toBe(0);
    expect(lines.log).toContain('args: ["alpha","beta gamma"]');
    const json = await run({ command: 'args', args: '["one", "two"]' });
    expect(json.log).toContain('args: ["one","two"]');
  });

  it('refuses args the policy does not allow (an option smuggled in)', async () => {
    const result = await run({ command: 'args', args: '--exec=evil' });
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain('ARGS_REJECTED');
    expect(result.log).not.toContain('args: [');
  });

  it('refuses a confirm: true command, as no person can approve it in CI', async () => {
    const result = await run({ command: 'approve' });
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain('CONFIRM_DECLINED');
  });

  it('does not obey workflow commands the command prints (workflow command injection)', async () => {
    const result = await run({ command: 'forge' });
    expect(result.exitCode).toBe(0);
    const stop = /^::stop-commands::([0-9a-f]{32})$/m.exec(result.stdout);
    expect(stop).not.toBeNull();
    const token = stop?.[1] as string;
    const fenced = result.stdout.slice(stop?.index, result.stdout.indexOf(`\n::${token}::\n`));
    for (const forged of [
      '::add-mask::forged-mask',
      '::error::forged error',
      '::set-output name=exit-code::0',
    ]) {
      expect(fenced).toContain(forged);
    }
    expect(result.masks).not.toContain('forged-mask');
    expect(result.stdout).toContain(`no newline at the end\n::${token}::\n`);
    expect(result.errors).toEqual([]);
  });

  it('deletes the envfile copy before the command starts, so the command cannot read other secrets', async () => {
    const runnerTemp = await testdir({});
    try {
      const result = await run(
        { command: 'list', args: runnerTemp.dir },
        { env: { RUNNER_TEMP: runnerTemp.dir } },
      );
      expect(result.exitCode).toBe(0);
      expect(result.log).toContain('entries: []');
    } finally {
      await runnerTemp.cleanup();
    }
  });

  it('in trust: pinned mode, refuses a policy nobody trusted', async () => {
    const configDir = await testdir({});
    try {
      const result = await run({ command: 'fail', trust: 'pinned', 'trust-dir': configDir.dir });
      expect(result.exitCode).toBe(1);
      expect(result.summary).toContain('TRUST_UNTRUSTED');
      expect(result.outputs).toEqual({});
    } finally {
      await configDir.cleanup();
    }
  });

  it('in trust: pinned mode, runs a policy trusted in trust-dir', async () => {
    const configDir = await testdir({});
    try {
      await trust(project.path('ironrun.yml'), { configDir: configDir.dir });
      const result = await run({ command: 'fail', trust: 'pinned', 'trust-dir': configDir.dir });
      expect(result.outputs['exit-code']).toBe('3');
    } finally {
      await configDir.cleanup();
    }
  });

  it('in trust: pinned mode, refuses trust records that the checkout itself ships (a trust-dir inside the workspace)', async () => {
    // A fork's pull request ships its own records beside a policy in a sub-folder,
    // where the policy's own "store inside the project" rule does not look.
    const workspace = await testdir({
      'ci/ironrun.yml': policy,
      'ci/print.mjs': await readFile(join(import.meta.dirname, 'fixtures/print.mjs'), 'utf8'),
    });
    try {
      const shipped = workspace.path('.ironrun-trust');
      await trust(workspace.path('ci/ironrun.yml'), { configDir: shipped });
      const pinned = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
        runBundledAction({
          cwd: workspace.dir,
          inputs: {
            envfile: dotenv,
            policy: 'ci/ironrun.yml',
            command: 'fail',
            trust: 'pinned',
            ...inputs,
          },
          env,
        });
      for (const trustDir of [shipped, '.ironrun-trust', './ci/../.ironrun-trust']) {
        const result = await pinned({ 'trust-dir': trustDir });
        expect(result.outputs).toEqual({});
        expect(result.exitCode).toBe(1);
        expect(result.errors[0]).toContain('inside the workspace');
      }
      // The default folder, pointed into the checkout by the step's env, is no better.
      const viaEnv = await pinned({}, { IRONRUN_CONFIG_DIR: shipped });
      expect(viaEnv.outputs).toEqual({});
      expect(viaEnv.errors[0]).toContain('inside the workspace');
    } finally {
      await workspace.cleanup();
    }
  });

  it('rejects an unknown trust mode before reading the policy', async () => {
    const result = await run({ command: 'leak', trust: 'none' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain('Input "trust"');
    expect(result.masks).toEqual([]);
  });
});
