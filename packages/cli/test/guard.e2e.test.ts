import { join } from 'node:path';
import type { TestDir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';
import { type GuardedProject, guardedProject } from './hook-fixture.js';

// The hook input Claude Code sends a PreToolUse command hook on stdin
// (https://code.claude.com/docs/en/hooks, "PreToolUse input").
function hookInput(project: string, toolName: string, toolInput: Record<string, unknown>) {
  return JSON.stringify({
    session_id: 'abc123',
    transcript_path: '/home/user/.claude/projects/x/abc123.jsonl',
    cwd: project,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: toolName,
    tool_input: toolInput,
    tool_use_id: 'toolu_01',
  });
}

let fixture: GuardedProject;
let project: TestDir;
let home: TestDir;
let env: Record<string, string>;

beforeAll(async () => {
  fixture = await guardedProject({
    secret: 'sk_test_guard_0123456789',
    deployArgs: ['--prod'],
    moreCommands: ['  - id: test', '    argv: [npm, run, test]'],
  });
  ({ project, home, env } = fixture);
});

afterAll(() => fixture.cleanup());

async function guard(
  toolName: string,
  toolInput: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
) {
  return runIronrun(['guard'], {
    cwd: project.dir,
    env: { ...env, ...extraEnv },
    input: hookInput(project.dir, toolName, toolInput),
  });
}

function denial(stdout: string): { reason: string } {
  const parsed = JSON.parse(stdout) as {
    hookSpecificOutput: {
      hookEventName: string;
      permissionDecision: string;
      permissionDecisionReason: string;
    };
  };
  expect(Object.keys(parsed)).toEqual(['hookSpecificOutput']);
  expect(Object.keys(parsed.hookSpecificOutput).sort()).toEqual([
    'hookEventName',
    'permissionDecision',
    'permissionDecisionReason',
  ]);
  expect(parsed.hookSpecificOutput.hookEventName).toBe('PreToolUse');
  expect(parsed.hookSpecificOutput.permissionDecision).toBe('deny');
  return { reason: parsed.hookSpecificOutput.permissionDecisionReason };
}

describe('ironrun guard', () => {
  it('prints nothing and exits 0 for an ordinary command, leaving the decision to Claude Code', async () => {
    const run = await guard('Bash', { command: 'git status && ls -la src', description: 'status' });
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('denies `op read` with the documented JSON on stdout and exit code 0 (exit 1 would not block)', async () => {
    const run = await guard('Bash', { command: 'op read "op://vault/stripe/key"' });
    expect(run.code).toBe(0);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(denial(run.stdout).reason).toMatch(/`op` reads secrets from the vault/);
  });

  it('denies `doppler secrets` hidden behind sudo, env assignments and a pipe', async () => {
    const run = await guard('Bash', {
      command: 'FOO=1 sudo -E doppler secrets download --no-file | head',
    });
    expect(denial(run.stdout).reason).toMatch(/`doppler`/);
  });

  it('denies `infisical secrets` inside a command substitution', async () => {
    const run = await guard('Bash', { command: 'echo "$(infisical secrets get STRIPE_KEY)"' });
    expect(denial(run.stdout).reason).toMatch(/`infisical`/);
  });

  it('denies reading the envfile, by ~ path and by its absolute path', async () => {
    const byTilde = await guard('Bash', { command: 'cat ~/secrets/demo.env' });
    expect(denial(byTilde.stdout).reason).toMatch(/envfile/);
    const byPath = await guard('Bash', {
      command: `base64 < ${join(home.dir, 'secrets', 'demo.env')}`,
    });
    expect(denial(byPath.stdout).reason).toMatch(/envfile/);
  });

  it("denies reading the vault CLIs' own folders, by any tool and spelling", async () => {
    const attempts: [string, Record<string, unknown>][] = [
      ['Bash', { command: 'cat ~/.doppler/.doppler.yaml' }],
      ['Bash', { command: 'tar cz $HOME/.config/op | base64' }],
      ['Bash', { command: `grep -r token ${join(home.dir, '.infisical')}` }],
      ['Bash', { command: 'cd ~ && cat .op/config' }],
      ['Read', { file_path: join(home.dir, '.config', 'op', 'config') }],
      ['Grep', { pattern: 'token', path: join(home.dir, '.doppler') }],
      ['Glob', { pattern: '**/*', path: join(home.dir, '.infisical') }],
      ['Write', { file_path: join(home.dir, '.doppler', '.doppler.yaml'), content: 'x' }],
    ];
    for (const [tool, input] of attempts) {
      const run = await guard(tool, input);
      expect(run.code, `${tool} ${JSON.stringify(input)}`).toBe(0);
      expect(denial(run.stdout).reason, `${tool} ${JSON.stringify(input)}`).toMatch(
        /1Password|Doppler|Infisical/,
      );
    }
    const opConfig = await guard(
      'Bash',
      { command: 'cat "$OP_CONFIG_DIR/config"' },
      {
        OP_CONFIG_DIR: join(home.dir, 'op-elsewhere'),
      },
    );
    expect(denial(opConfig.stdout).reason).toMatch(/OP_CONFIG_DIR|1Password/);
  });

  it('denies the Read tool on the envfile', async () => {
    const run = await guard('Read', { file_path: join(home.dir, 'secrets', 'demo.env') });
    expect(denial(run.stdout).reason).toMatch(/envfile/);
  });

  it('denies writing into the trust store (forging trust)', async () => {
    const run = await guard('Write', {
      file_path: join(home.dir, 'ironrun-config', 'trust', 'x.json'),
      content: '{}',
    });
    expect(denial(run.stdout).reason).toMatch(/config folder/);
  });

  it('denies `ironrun trust`, also through npx and sh -c', async () => {
    for (const command of [
      'ironrun trust --yes',
      'npx -y @ironrun/cli trust --yes',
      "sh -c 'ironrun trust --yes'",
    ]) {
      const run = await guard('Bash', { command });
      expect(denial(run.stdout).reason).toMatch(/ironrun trust/);
    }
  });

  it('denies running a policy command that receives secrets outside the seal', async () => {
    const direct = await guard('Bash', { command: './scripts/deploy.sh --prod' });
    expect(denial(direct.stdout).reason).toMatch(/ironrun run deploy/);
    const viaShell = await guard('Bash', { command: 'bash scripts/deploy.sh' });
    expect(denial(viaShell.stdout).reason).toMatch(/"deploy"/);
  });

  it('lets a policy command without secrets run directly', async () => {
    const run = await guard('Bash', { command: 'npm run test' });
    expect(run.stdout).toBe('');
  });

  it('lets `ironrun run` through: it is the sealed path', async () => {
    const run = await guard('Bash', { command: 'ironrun run deploy' });
    expect(run.stdout).toBe('');
  });

  it('denies commands that use a vault credential variable, naming it but never its value', async () => {
    const run = await guard('Bash', {
      command: 'curl -H "Authorization: Bearer $DOPPLER_TOKEN" https://api.doppler.com',
    });
    const { reason } = denial(run.stdout);
    expect(reason).toMatch(/DOPPLER_TOKEN/);
  });

  it('denies dumping the environment when a vault token is in it, without printing the token', async () => {
    const token = 'dp.st.dev.guardtesttoken0123456789';
    const run = await guard('Bash', { command: 'env' }, { DOPPLER_TOKEN: token });
    expect(denial(run.stdout).reason).toMatch(/DOPPLER_TOKEN/);
    expect(run.stdout).not.toContain(token);
    const without = await guard('Bash', { command: 'env' });
    expect(without.stdout).toBe('');
  });

  it('denies ironrun under a pseudo-terminal wrapper, which could answer its confirmation', async () => {
    const run = await guard('Bash', { command: 'script -qc "ironrun run deploy" /dev/null' });
    expect(denial(run.stdout).reason).toMatch(/`script`/);
  });

  it('fails closed on input that is not the hook JSON', async () => {
    const run = await runIronrun(['guard'], { cwd: project.dir, env, input: 'not json' });
    // Exit 2 blocks in Claude Code and in Cursor alike (the input cannot say whose it is).
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/could not read the hook input/);
    expect(denial(run.stdout).reason).toMatch(/could not read the hook input/);
  });

  it('ignores tools it does not guard', async () => {
    const run = await guard('WebFetch', { url: 'https://example.com', prompt: 'x' });
    expect(run.stdout).toBe('');
  });

  it('never prints the secret value in any decision', async () => {
    const run = await guard('Bash', { command: 'cat ~/secrets/demo.env' });
    expect(run.stdout + run.stderr).not.toContain('sk_test_guard_0123456789');
  });
});
