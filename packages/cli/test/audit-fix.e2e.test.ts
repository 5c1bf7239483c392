import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { trust } from '@ironrun/policy';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodedViews } from '../src/audit/leak-scanner.js';
import { runIronrun } from './cli-process.js';

const nodeDir = dirname(process.execPath);
const referenced = 'tok_live_"fix"\\me_0123456789';
const unreferenced = 'sk_other_unreferenced_98765';

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;
let transcripts: string;
let session: string;

beforeEach(async () => {
  home = await testdir();
  project = await testdir({
    'ironrun.yml': `version: 1\nprovider: { name: envfile, path: ~/s/x.env }\ncommands:\n  - id: deploy\n    argv: [node]\n    path: ${nodeDir}\n    env: { API_TOKEN: envfile://API_TOKEN }\n`,
  });
  await mkdir(join(home.dir, 's'), { recursive: true });
  await writeFile(
    join(home.dir, 's', 'x.env'),
    `API_TOKEN=${JSON.stringify(referenced)}\nOTHER_KEY=${unreferenced}\n`,
    { mode: 0o600 },
  );
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
  transcripts = join(home.dir, '.claude', 'projects', '-work-app');
  session = join(transcripts, 'session.jsonl');
  await mkdir(transcripts, { recursive: true });
  const toolResult = JSON.stringify({ stdout: `API_TOKEN=${referenced}` });
  const lines = [
    { type: 'user', message: { content: 'run it' } },
    // An MCP result stored as JSON text inside the JSON line: the value escaped twice.
    { type: 'user', message: { content: [{ type: 'tool_result', content: toolResult }] } },
    { type: 'assistant', message: { content: `other is ${unreferenced}` } },
    { type: 'tool_result', content: Buffer.from(toolResult).toString('base64') },
    { type: 'assistant', message: { content: 'done' } },
  ];
  await writeFile(session, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(session, anHourAgo, anHourAgo);
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

interface Report {
  provider_values_checked: number;
  findings: { file: string; ref: string }[];
  fixes?: { file: string; status: string; reason?: string; backup?: string }[];
}

function holdsValue(text: string): boolean {
  return text
    .split('\n')
    .some((line) =>
      decodedViews(line).some((view) => view.includes(referenced) || view.includes(unreferenced)),
    );
}

describe('ironrun audit', () => {
  it('checks every value of the envfile, not only the referenced ones, for a trusted policy only', async () => {
    const untrusted = await runIronrun(['audit', '--json', transcripts], { cwd: project.dir, env });
    expect(untrusted.stdout).not.toContain('OTHER_KEY');
    await trust(project.path('ironrun.yml'), {
      configDir: env.IRONRUN_CONFIG_DIR as string,
      schemes: ['envfile'],
    });
    const run = await runIronrun(['audit', '--json', transcripts], { cwd: project.dir, env });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.provider_values_checked).toBe(1);
    expect([...new Set(report.findings.map((finding) => finding.ref))].sort()).toEqual([
      'envfile://API_TOKEN',
      'envfile://OTHER_KEY',
    ]);
    expect(run.stdout + run.stderr).not.toContain(unreferenced);
    expect(run.stdout + run.stderr).not.toContain('0123456789');
  });

  it('--fix scrubs in place: valid JSONL after, no value left, a backup outside the history folder', async () => {
    await trust(project.path('ironrun.yml'), {
      configDir: env.IRONRUN_CONFIG_DIR as string,
      schemes: ['envfile'],
    });
    const before = await readFile(session, 'utf8');
    const fix = await runIronrun(['audit', '--fix', '--json', transcripts], {
      cwd: project.dir,
      env,
    });
    const report = JSON.parse(fix.stdout) as Report;
    expect(report.fixes).toEqual([expect.objectContaining({ file: session, status: 'scrubbed' })]);
    const after = await readFile(session, 'utf8');
    for (const line of after.split('\n').filter((text) => text !== '')) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(after.split('\n').length).toBe(before.split('\n').length);
    expect(holdsValue(after)).toBe(false);
    expect(after).toContain('run it');
    expect(after).toContain('[REDACTED]');

    const backup = report.fixes?.[0]?.backup as string;
    expect(relative(transcripts, backup).startsWith('..')).toBe(true);
    expect(relative(env.IRONRUN_CONFIG_DIR as string, backup).startsWith('..')).toBe(false);
    expect(await readFile(backup, 'utf8')).toBe(before);
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    expect(await readdir(transcripts)).toEqual(['session.jsonl']);

    const again = await runIronrun(['audit', '--json', transcripts], { cwd: project.dir, env });
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as Report).findings).toEqual([]);
  });

  it('--fix refuses a file the agent is still writing, and leaves it as it was', async () => {
    await trust(project.path('ironrun.yml'), {
      configDir: env.IRONRUN_CONFIG_DIR as string,
      schemes: ['envfile'],
    });
    const now = new Date();
    await utimes(session, now, now);
    const before = await readFile(session, 'utf8');
    const fix = await runIronrun(['audit', '--fix', '--json', transcripts], {
      cwd: project.dir,
      env,
    });
    expect(fix.code).toBe(1);
    const report = JSON.parse(fix.stdout) as Report;
    expect(report.fixes).toEqual([
      expect.objectContaining({
        file: session,
        status: 'refused',
        reason: expect.stringMatching(/still be writing/),
      }),
    ]);
    expect(await readFile(session, 'utf8')).toBe(before);
  });
});
