import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIronrun } from './cli-process.js';

// The person runs `audit`, `check --providers` and `doctor` in their own
// terminal, with their vault credentials. The agent wrote the policy (not yet
// trusted), node_modules and the transcripts. None of it may run agent code in
// the person's process, hand the person's credential to the agent, or answer
// more than "leaked or not" about a file the agent wrote.

const nodeDir = dirname(process.execPath);
const secret = 'tok_live_audit_oracle_7Qx2';

let home: TestDir;
let project: TestDir;
let env: Record<string, string>;

beforeEach(async () => {
  home = await testdir();
  project = await testdir();
  env = { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') };
});

afterEach(async () => {
  await project.cleanup();
  await home.cleanup();
});

describe('a provider package planted by the agent, named by an untrusted policy', () => {
  let marker: string;

  beforeEach(async () => {
    marker = join(home.dir, 'agent-code-ran');
    // What the agent plants: a provider package whose import writes a marker
    // (a real one would read the person's credentials and the vault).
    const code = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran in ' + process.argv.join(' '));\nexport const provider = { name: 'evil', schemes: ['evil'], parseOptions: (o) => o, create: async () => ({ resolve: async (refs) => refs.map((ref) => ({ ref, found: true, value: 'x'.repeat(12) })) }) };\n`;
    await project.write({
      'node_modules/ironrun-provider-evil/package.json': JSON.stringify({
        name: 'ironrun-provider-evil',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        exports: { '.': './index.js' },
        ironrun: { schemes: ['evil'] },
      }),
      'node_modules/ironrun-provider-evil/index.js': code,
      'ironrun.yml': `version: 1\nprovider: ironrun-provider-evil\ncommands:\n  - id: x\n    argv: [node, -e, "1"]\n    path: ${nodeDir}\n    env: { TOKEN: evil://TOKEN }\n`,
    });
    await mkdir(join(home.dir, 'transcripts'), { recursive: true });
  });

  it('audit does not import it', async () => {
    const run = await runIronrun(['audit', join(home.dir, 'transcripts')], {
      cwd: project.dir,
      env,
    });
    expect(existsSync(marker)).toBe(false);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/trust/);
  });

  it('check --providers does not import it', async () => {
    const run = await runIronrun(['check', '--providers'], { cwd: project.dir, env });
    expect(existsSync(marker)).toBe(false);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/not resolved: only a trusted policy/);
  });

  it('doctor does not import it', async () => {
    const run = await runIronrun(['doctor', '--json'], { cwd: project.dir, env });
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(run.stdout).checks).toContainEqual(
      expect.objectContaining({ name: 'trust', status: 'warn' }),
    );
  });

  it('check, list and a declined trust do not import it either', async () => {
    await runIronrun(['check'], { cwd: project.dir, env });
    await runIronrun(['list', '--json'], { cwd: project.dir, env });
    const trust = await runIronrun(['trust'], { cwd: project.dir, env, input: 'y\n' });
    expect(trust.code).toBe(6);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('an untrusted policy pointing a built-in provider at the agent', () => {
  it("check --providers and audit do not send the person's vault token to the agent's listener", async () => {
    const token = 'dp.st.person_token_0123456789abcdef';
    const seen: IncomingHttpHeaders[] = [];
    // The agent listens on loopback (http: is allowed there) and names itself as the API.
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ secrets: {} }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await project.write({
        'ironrun.yml': `version: 1\nprovider: { name: doppler, project: shop, config: prd, api_url: "http://127.0.0.1:${port}" }\ncommands:\n  - id: x\n    argv: [node, -e, "1"]\n    path: ${nodeDir}\n    env: { STRIPE: doppler://STRIPE }\n`,
      });
      const person = { ...env, DOPPLER_TOKEN: token };
      const check = await runIronrun(['check', '--providers'], { cwd: project.dir, env: person });
      const audit = await runIronrun(['audit', home.dir], { cwd: project.dir, env: person });
      expect(JSON.stringify(seen)).not.toContain(token);
      expect(seen).toEqual([]);
      expect(check.code).toBe(3);
      expect(audit.code).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/**
 * What the agent does with audit's answer: it wrote `guesses`, one per line,
 * into a file audit scans; any line number (or position) in the report names
 * the guess that is the secret.
 */
function recoverFromAudit(stdout: string, guesses: readonly string[]): string | undefined {
  for (const match of stdout.matchAll(/"line":\s*(\d+)|:(\d+):/g)) {
    const line = Number(match[1] ?? match[2]);
    const guess = guesses[line - 1];
    if (guess !== undefined) return guess;
  }
  return undefined;
}

describe('audit as an oracle for a secret the agent half knows', () => {
  it('the agent writes every guess on its own line and learns nothing but "leaked"', async () => {
    await mkdir(join(home.dir, 's'), { recursive: true });
    await writeFile(join(home.dir, 's', 'x.env'), `API_TOKEN=${secret}\n`, { mode: 0o600 });
    await project.write({
      'ironrun.yml': `version: 1\nprovider: { name: envfile, path: ~/s/x.env }\ncommands:\n  - id: deploy\n    argv: [node, -e, "1"]\n    path: ${nodeDir}\n    env: { API_TOKEN: envfile://API_TOKEN }\n`,
    });
    expect((await runIronrun(['trust', '--yes'], { cwd: project.dir, env })).code).toBe(0);

    // It knows all but the last two characters; it writes all 3844 completions.
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const known = secret.slice(0, -2);
    const guesses = [...alphabet].flatMap((a) => [...alphabet].map((b) => `${known}${a}${b}`));
    const transcripts = join(home.dir, '.claude', 'projects', '-work');
    await mkdir(transcripts, { recursive: true });
    await writeFile(join(transcripts, 'session.jsonl'), `${guesses.join('\n')}\n`);

    for (const args of [['audit', '--json', transcripts], ['audit']]) {
      const run = await runIronrun(args, { cwd: project.dir, env });
      expect(run.code).toBe(1); // the person still learns that it leaked, and where
      expect(run.stdout).toMatch(/session\.jsonl/);
      expect(run.stdout).toMatch(/envfile:\/\/API_TOKEN/);
      expect(recoverFromAudit(run.stdout, guesses)).toBeUndefined();
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
    expect(await readFile(join(transcripts, 'session.jsonl'), 'utf8')).toContain(secret);
  });
});
