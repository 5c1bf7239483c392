import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { probeIsolation } from '@ironrun/sandbox';
import { testdir } from '@ironrun/test-utils';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTarget } from './binary-path.js';
import { binaryPath } from './built-binary.js';
import { type ExampleProject, exampleProject, nodeOnPath } from './project-fixture.js';
import { type BinaryLauncher, launcher, runBinary } from './run-binary.js';

const require = createRequire(import.meta.url);
const cliVersion = (require('@ironrun/cli/package.json') as { version: string }).version;
const cliJs = join(require.resolve('@ironrun/cli/package.json'), '..', 'dist', 'cli.js');

const supported = process.platform === 'linux' || process.platform === 'darwin';
// The binary probes the same way (same code, same machine); where a namespace
// is unavailable (e.g. Ubuntu 24.04 restricting unprivileged user namespaces)
// the tests that need it skip, and `ironrun doctor` says why.
const isolation = await probeIsolation();
const built = binaryPath(hostTarget);
const secret = 'demo_sk_binary_e2e_7c1d9e4f2a';
const secretBase64 = Buffer.from(secret).toString('base64');

let example: ExampleProject;
let binary: string;
let launch: BinaryLauncher;
let server: Server;
let port = 0;

/** What `ironrun run <id> --json` reports. */
interface RunJson {
  exit_code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  redactions: number;
}

async function runJson(id: string): Promise<{ code: number | null; result: RunJson }> {
  const run = await runBinary(launch, ['run', id, '--json'], {
    cwd: example.project.dir,
    env: example.env,
  });
  expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  return { code: run.code, result: JSON.parse(run.stdout) as RunJson };
}

beforeAll(async () => {
  if (!supported) return;
  server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  // bash's /dev/tcp connects without any network tool; the port is the test's own listener.
  const connect = `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`;
  example = await exampleProject(
    built,
    secret,
    [
      '  - id: whoami',
      `    argv: [/bin/sh, -c, 'echo "pid=$$ ppid=$PPID"']`,
      '  - id: slow',
      `    argv: [/bin/sh, -c, 'echo started; sleep 30']`,
      '    ttl: 1s',
      '  - id: net-open',
      `    argv: [/bin/bash, -c, '${connect}']`,
      '  - id: net-closed',
      `    argv: [/bin/bash, -c, '${connect}']`,
      '    no_network: true',
      '',
    ].join('\n'),
  );
  binary = example.binary;
  launch = launcher(binary);
});

afterAll(async () => {
  if (!supported) return;
  server.close();
  await example.cleanup();
});

describe.skipIf(!supported)(`the ${hostTarget} ironrun binary, with no node on PATH`, () => {
  it('runs alone in a folder, with no node on PATH and no node_modules', () => {
    expect(existsSync(built)).toBe(true);
    expect(readdirSync(dirname(binary))).toEqual(['ironrun']);
    expect(nodeOnPath(example.env)).toBe(false);
    expect(nodeOnPath({ PATH: process.env.PATH ?? '' })).toBe(true);
    expect(existsSync(join(example.project.dir, 'node_modules'))).toBe(false);
  });

  it('prints the version of @ironrun/cli for --version', async () => {
    const run = await runBinary(launch, ['--version'], {
      cwd: example.project.dir,
      env: example.env,
    });
    expect(run).toEqual({ code: 0, stdout: `${cliVersion}\n`, stderr: '' });
  });

  it('checks, trusts, then runs the example deploy command with the key redacted raw and base64', async () => {
    const opts = { cwd: example.project.dir, env: example.env };
    const before = await runBinary(launch, ['check'], opts);
    expect(before.stdout).toMatch(/ironrun\.yml is valid/);
    expect(before.stdout).toMatch(/not trusted yet/);
    expect(before.code).toBe(3);

    const trust = await runBinary(launch, ['trust', '--yes'], opts);
    expect(trust.stderr).toMatch(/scripts\/deploy\.sh/);
    expect(trust.code).toBe(0);

    const after = await runBinary(launch, ['check'], opts);
    expect(after.code).toBe(0);

    const run = await runBinary(launch, ['run', 'deploy'], opts);
    expect(run.stdout).toMatch(/deploying to staging \(--dry-run\)/);
    expect(run.stdout).toMatch(/using key \[REDACTED\]/);
    expect(run.stdout).toMatch(/key as base64: \[REDACTED\]/);
    for (const leak of [secret, secretBase64]) {
      expect(run.stdout + run.stderr).not.toContain(leak);
    }
    expect(run.code).toBe(0);
  });

  it.skipIf(!isolation.pidNamespace)(
    'starts itself as the PID namespace init: the program is not PID 1, its parent is',
    async () => {
      const { code, result } = await runJson('whoami');
      expect(code).toBe(0);
      const [, pid, ppid] = /^pid=(\d+) ppid=(\d+)$/.exec(result.stdout.trim()) ?? [];
      expect(ppid).toBe('1');
      expect(pid).not.toBe('1');
    },
  );

  it('ends a command at its TTL with SIGTERM, which a program under the init receives', async () => {
    const { code, result } = await runJson('slow');
    expect(result).toMatchObject({ timed_out: true, stdout: 'started\n', signal: 'SIGTERM' });
    expect(code).toBe(124);
  });

  it.skipIf(!isolation.noNetwork)(
    'cuts the network for no_network and leaves it for the same command without',
    async () => {
      const open = await runJson('net-open');
      expect(open.result.stdout).toBe('connected\n');
      const closed = await runJson('net-closed');
      expect(closed.result.stdout).toBe('');
      expect(closed.result.stderr).toMatch(
        /connect: (Connection refused|Network is unreachable|Operation not permitted)/,
      );
      expect(closed.result.exit_code).not.toBe(0);
    },
  );

  it('serves list_commands and run_sealed over MCP on stdio, with the key redacted', async () => {
    const transport = new StdioClientTransport({
      command: binary,
      args: ['mcp'],
      cwd: example.project.dir,
      env: example.env,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'ironrun-binary-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const listed = await client.callTool({ name: 'list_commands', arguments: {} });
      expect(JSON.stringify(listed.structuredContent)).toMatch(/"deploy"/);
      const result = await client.callTool({ name: 'run_sealed', arguments: { id: 'deploy' } });
      const structured = result.structuredContent as { exit_code: number; stdout: string };
      expect(structured.exit_code).toBe(0);
      expect(structured.stdout).toMatch(/using key \[REDACTED\]/);
      expect(structured.stdout).toMatch(/key as base64: \[REDACTED\]/);
      expect(JSON.stringify(result)).not.toContain(secret);
      expect(JSON.stringify(result)).not.toContain(secretBase64);
    } finally {
      await client.close();
    }
  });

  it('loads the 1Password SDK core embedded in the binary, failing on a bad token as the npm CLI does', async () => {
    const project = await testdir({
      'ironrun.yml': [
        'version: 1',
        'provider: 1password',
        'commands:',
        '  - id: show',
        '    argv: [/bin/echo, never]',
        '    env: { TOKEN: op://vault/item/field }',
        '',
      ].join('\n'),
    });
    try {
      const env = { ...example.env, OP_SERVICE_ACCOUNT_TOKEN: 'ops_not_a_real_token' };
      expect((await runBinary(launch, ['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);
      const fromBinary = await runBinary(launch, ['run', 'show'], { cwd: project.dir, env });
      // The token is parsed by the SDK's WebAssembly core: a refusal means the core loaded.
      expect(fromBinary.stderr).toMatch(/OP_SERVICE_ACCOUNT_TOKEN was refused/);
      expect(fromBinary.stderr).not.toMatch(/core_bg\.wasm|ENOENT/);
      const fromNode = spawnSync(process.execPath, [cliJs, 'run', 'show'], {
        cwd: project.dir,
        env,
        encoding: 'utf8',
      });
      expect(fromBinary).toEqual({
        code: fromNode.status,
        stdout: fromNode.stdout,
        stderr: fromNode.stderr,
      });
    } finally {
      await project.cleanup();
    }
  });
});

describe.skipIf(!supported)('third-party providers in the binary', () => {
  it("imports an ESM provider package from the project's node_modules", async () => {
    const value = 'third_party_secret_8d2e6f';
    const project = await testdir({
      'node_modules/ironrun-provider-fake/package.json': JSON.stringify({
        name: 'ironrun-provider-fake',
        version: '1.0.0',
        type: 'module',
        exports: './index.js',
        ironrun: { schemes: ['fake'] },
      }),
      'node_modules/ironrun-provider-fake/index.js': [
        'export const provider = {',
        "  name: 'fake', schemes: ['fake'], parseOptions: (raw) => raw,",
        `  create: () => ({ name: 'fake', resolve: async (refs) => refs.map((ref) => ({ ref, found: true, value: ${JSON.stringify(value)} })) }),`,
        '};',
        '',
      ].join('\n'),
      'ironrun.yml': [
        'version: 1',
        'provider: ironrun-provider-fake',
        'commands:',
        '  - id: show',
        `    argv: [/bin/sh, -c, 'echo "value=$V"']`,
        '    env: { V: fake://x }',
        '',
      ].join('\n'),
    });
    try {
      const opts = { cwd: project.dir, env: example.env };
      expect((await runBinary(launch, ['trust', '--yes'], opts)).code).toBe(0);
      const run = await runBinary(launch, ['run', 'show'], opts);
      expect(run).toEqual({ code: 0, stdout: 'value=[REDACTED]\n', stderr: '' });
      expect(run.stdout + run.stderr).not.toContain(value);
    } finally {
      await project.cleanup();
    }
  });
});

describe.skipIf(process.platform !== 'linux')(
  'ironrun --ironrun-sandbox-init (the init marker)',
  () => {
    it('marker abuse: run by hand with the marker variable, it refuses and runs nothing', async () => {
      const run = await runBinary(launch, ['--ironrun-sandbox-init'], {
        cwd: example.project.dir,
        env: { ...example.env, IRONRUN_SANDBOX_INIT: '1' },
      });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/reserved for ironrun's sandbox/);
    });

    it('marker abuse: given an IPC channel and a program to start outside a PID namespace, it starts nothing', async () => {
      const witness = join(example.home.dir, 'init-abuse-witness');
      const child = spawn(binary, ['--ironrun-sandbox-init'], {
        cwd: example.project.dir,
        env: { ...example.env, IRONRUN_SANDBOX_INIT: '1' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.send(
        {
          file: '/usr/bin/touch',
          args: [witness],
          argv0: 'touch',
          cwd: '/',
          env: {},
          loopback: false,
        },
        () => {},
      );
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toMatch(/reserved for ironrun's sandbox/);
      expect(existsSync(witness)).toBe(false);
    });

    it('is an ordinary unknown option to the CLI without the marker variable', async () => {
      const run = await runBinary(launch, ['--ironrun-sandbox-init'], {
        cwd: example.project.dir,
        env: example.env,
      });
      expect(run.stderr).toMatch(/Unknown option --ironrun-sandbox-init/);
      expect(run.code).not.toBe(0);
    });
  },
);
