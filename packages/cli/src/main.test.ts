import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';
import { createStyle } from './terminal-style.js';

function fakeIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    style: createStyle({ isTTY: false }),
    errStyle: createStyle({ isTTY: false }),
    env: {},
    cwd: '/nonexistent-ironrun-test',
  };
  return io;
}

describe('runCli', () => {
  it('prints help for the root and for each command, exit 0', async () => {
    for (const args of [['--help'], ['run', '--help'], ['audit', '-h']]) {
      const io = fakeIo();
      expect(await runCli(args, io)).toBe(0);
      expect(io.stdout).toMatch(/USAGE/);
    }
  });

  it('rejects unknown commands and options with exit 2', async () => {
    for (const args of [
      ['deploy'],
      ['run', 'x', '--yes'],
      ['--frobnicate'],
      ['check', '--provider'],
    ]) {
      const io = fakeIo();
      expect(await runCli(args, io)).toBe(2);
      expect(io.stderr).toMatch(/^ironrun: Unknown/);
    }
  });

  it('treats --help after -- as an argument of the command, not a request for help', async () => {
    const io = fakeIo();
    expect(await runCli(['run', 'x', '--', '--help'], io)).toBe(2);
    expect(io.stdout).not.toMatch(/USAGE/);
    expect(io.stderr).toMatch(/No ironrun\.yml/);
  });

  it('reports a missing policy as a usage error, as JSON on stdout with --json', async () => {
    const io = fakeIo();
    expect(await runCli(['list', '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout)).toEqual({
      error: { code: 'POLICY_NOT_FOUND', message: expect.stringMatching(/ironrun\.yml/) },
    });
  });

  it('requires the id of run', async () => {
    const io = fakeIo();
    expect(await runCli(['run'], io)).toBe(2);
    expect(io.stderr).toMatch(/ID/);
  });
});
