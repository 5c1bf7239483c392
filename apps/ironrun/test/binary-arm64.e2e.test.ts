import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arm64Runner, arm64Runner } from './binary-path.js';
import { binaryPath } from './built-binary.js';
import { type ExampleProject, exampleProject, nodeOnPath } from './project-fixture.js';
import { type BinaryLauncher, launcher, runBinary } from './run-binary.js';

const require = createRequire(import.meta.url);
const cliVersion = (require('@ironrun/cli/package.json') as { version: string }).version;

const runner = arm64Runner();
const arm64: Arm64Runner | undefined = 'qemu' in runner ? runner : undefined;
const skipReason = 'missing' in runner ? runner.missing : '';
// A sealed run starts the binary again from `unshare`, a native program: the
// kernel itself must hand the arm64 file to qemu (binfmt_misc), which
// `qemu-aarch64 <binary>` alone does not arrange.
const binfmt = existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64');
const secret = 'demo_sk_arm64_e2e_4b8a0c6d1e';

let example: ExampleProject;
let launch: BinaryLauncher;

beforeAll(async () => {
  if (arm64 === undefined) return;
  example = await exampleProject(binaryPath('linux-arm64'), secret, '');
  launch = launcher(example.binary, arm64);
});

afterAll(async () => {
  await example?.cleanup();
});

describe.skipIf(arm64 === undefined)(
  `the linux-arm64 ironrun binary under qemu-user${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('is an aarch64 executable, run with no node on PATH', () => {
      const header = readFileSync(example.binary).subarray(0, 20);
      // ELF, 64-bit, little-endian; e_machine 183 = AArch64.
      expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(header.readUInt16LE(18)).toBe(183);
      expect(nodeOnPath(example.env)).toBe(false);
    });

    it('prints the version of @ironrun/cli', async () => {
      const run = await runBinary(launch, ['--version'], {
        cwd: example.project.dir,
        env: example.env,
      });
      expect(run).toEqual({ code: 0, stdout: `${cliVersion}\n`, stderr: '' });
    });

    it('checks and trusts the example, then lists its command', async () => {
      const opts = { cwd: example.project.dir, env: example.env };
      expect((await runBinary(launch, ['check'], opts)).code).toBe(3);
      expect((await runBinary(launch, ['trust', '--yes'], opts)).code).toBe(0);
      expect((await runBinary(launch, ['check'], opts)).code).toBe(0);
      const list = await runBinary(launch, ['list'], opts);
      expect(list.stdout).toMatch(/deploy/);
      expect(list.code).toBe(0);
    });

    it('answers list_commands over MCP on stdio', async () => {
      const transport = new StdioClientTransport({
        command: launch.command,
        args: [...launch.prefix, 'mcp'],
        cwd: example.project.dir,
        env: example.env,
        stderr: 'pipe',
      });
      const client = new Client({ name: 'ironrun-arm64-test', version: '0.0.0' });
      await client.connect(transport);
      try {
        const listed = await client.callTool({ name: 'list_commands', arguments: {} });
        expect(JSON.stringify(listed.structuredContent)).toMatch(/"deploy"/);
      } finally {
        await client.close();
      }
    });

    it.skipIf(!binfmt)(
      'runs the example deploy command sealed, the key redacted (needs qemu-aarch64 registered with binfmt_misc)',
      async () => {
        const run = await runBinary(launch, ['run', 'deploy'], {
          cwd: example.project.dir,
          env: example.env,
        });
        expect(run.stdout).toMatch(/using key \[REDACTED\]/);
        expect(run.stdout + run.stderr).not.toContain(secret);
        expect(run.code).toBe(0);
      },
    );
  },
);
