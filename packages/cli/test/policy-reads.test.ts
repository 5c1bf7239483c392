import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerHandle, startBroker, trust } from '@ironrun/core';
import { countFileReads, type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli-io.js';
import { runCli } from '../src/main.js';
import { createStyle } from '../src/terminal-style.js';

// How many times one `ironrun run` reads ironrun.yml, counted across everything this process
// does for it: the CLI, core and, under `ironrun agent`, the broker it forwards to (started
// here in the same process, so its reads count too).

const secret = 'policy-reads-cli-secret-0123456789';

let project: TestDir;
let configDir: string;

function io(env: Record<string, string>): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out(text: string) {
      captured.stdout += text;
    },
    err(text: string) {
      captured.stderr += text;
    },
    style: createStyle({ isTTY: false }),
    errStyle: createStyle({ isTTY: false }),
    env: { HOME: project.dir, IRONRUN_CONFIG_DIR: configDir, PATH: process.env.PATH ?? '', ...env },
    cwd: project.dir,
  };
  return captured;
}

beforeEach(async () => {
  project = await testdir({
    'vault/secrets.env': { content: `API_TOKEN=${secret}\n`, mode: 0o600 },
    'app/scripts/print.sh': { content: '#!/bin/sh\necho "token is $API_TOKEN"\n', mode: 0o755 },
  });
  configDir = join(project.dir, 'config');
  await project.write({
    'app/ironrun.yml': `version: 1\nprovider:\n  name: envfile\n  path: ${project.path('vault/secrets.env')}\ncommands:\n  - id: print\n    argv: [./scripts/print.sh]\n    env:\n      API_TOKEN: envfile://API_TOKEN\n`,
  });
  await trust(project.path('app/ironrun.yml'), { configDir, schemes: ['envfile'] });
});

afterEach(async () => {
  await project.cleanup();
});

describe('one ironrun run', () => {
  it('reads the policy file once, run directly', async () => {
    const run = io({});
    const policy = project.path('app/ironrun.yml');
    let code = -1;
    const reads = await countFileReads(policy, async () => {
      code = await runCli(['run', '--json', '--policy', policy, 'print'], run);
    });
    expect(run.stderr).not.toContain(secret);
    expect({ code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('token is [REDACTED]');
    expect(reads).toBe(1);
  });

  it('reads the policy file once, forwarded to the broker of ironrun agent (the client reads none)', async () => {
    const socketDir = await mkdtemp(join(tmpdir(), 'ironrun-reads-'));
    let broker: BrokerHandle | undefined;
    try {
      broker = await startBroker({ socketPath: join(socketDir, 'b.sock'), configDir, env: {} });
      await broker.warm();
      const run = io({ IRONRUN_BROKER: broker.socketPath });
      const policy = project.path('app/ironrun.yml');
      let code = -1;
      const reads = await countFileReads(policy, async () => {
        code = await runCli(['run', '--json', '--policy', policy, 'print'], run);
      });
      expect(run.stderr).not.toContain(secret);
      expect({ code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain('token is [REDACTED]');
      expect(reads).toBe(1);
    } finally {
      await broker?.close();
      await rm(socketDir, { recursive: true, force: true });
    }
  });
});
