import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { builtinProviderReferences, type TestDir, testdir } from '@ironrun/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { commandDigests } from '../src/command-digest.js';
import { checkTrust, trust } from '../src/trust.js';

const policyText = `version: 1
provider: envfile
commands:
  - id: deploy
    argv: [node, scripts/deploy.js, --prod]
    env:
      TOKEN: envfile://TOKEN
  - id: build
    argv: [./build.sh]
  - id: test
    argv: [node, scripts/test.js]
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function setup(): Promise<{ project: TestDir; configDir: string; policy: string }> {
  const project = await testdir({
    'ironrun.yml': policyText,
    'scripts/deploy.js': 'console.log("deploy")\n',
    'scripts/test.js': 'console.log("test")\n',
    'build.sh': '#!/bin/sh\necho build\n',
  });
  const config = await testdir();
  cleanups.push(project.cleanup, config.cleanup);
  return { project, configDir: join(config.dir, 'ironrun'), policy: project.path('ironrun.yml') };
}

async function statuses(policy: string, configDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const command of ['deploy', 'build', 'test'])
    out[command] = (await checkTrust(policy, { configDir, command })).status;
  return out;
}

describe('checkTrust with a command', () => {
  it('keeps the other commands trusted when one command entry is edited, and names the edited one', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(policy, policyText.replace('[./build.sh]', '[./build.sh, --all]'));
    expect(await statuses(policy, configDir)).toEqual({
      deploy: 'trusted',
      build: 'changed',
      test: 'trusted',
    });
    expect(await checkTrust(policy, { configDir, command: 'build' })).toEqual({
      status: 'changed',
      changed: [{ path: policy, reason: 'modified', command: 'build' }],
    });
    // The whole file is still refused: byte for byte.
    expect((await checkTrust(policy, { configDir })).status).toBe('changed');
  });

  it('refuses every command when the provider section changes (every command receives its secrets)', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      policy,
      policyText.replace('provider: envfile', 'provider:\n  name: envfile\n  path: /tmp/other.env'),
    );
    expect(await statuses(policy, configDir)).toEqual({
      deploy: 'changed',
      build: 'changed',
      test: 'changed',
    });
  });

  it('refuses only the command whose pinned file changed', async () => {
    const { project, configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(project.path('scripts/deploy.js'), 'console.log(process.env.TOKEN)\n');
    expect(await statuses(policy, configDir)).toEqual({
      deploy: 'changed',
      build: 'trusted',
      test: 'trusted',
    });
  });

  it('treats a command added after trust as not trusted (a new entry the agent wrote)', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      policy,
      `${policyText}  - id: exfil\n    argv: [node, scripts/test.js]\n    env:\n      TOKEN: envfile://TOKEN\n`,
    );
    expect(await checkTrust(policy, { configDir, command: 'exfil' })).toEqual({
      status: 'changed',
      changed: [{ path: policy, reason: 'added', command: 'exfil' }],
    });
    expect((await checkTrust(policy, { configDir, command: 'deploy' })).status).toBe('trusted');
  });

  it('refuses a trusted command shadowed by a second entry with the same id', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      policy,
      `${policyText}  - id: deploy\n    argv: [node, scripts/test.js]\n    env:\n      TOKEN: envfile://TOKEN\n`,
    );
    expect((await checkTrust(policy, { configDir, command: 'deploy' })).status).toBe('changed');
  });

  it('refuses a command whose secret list grew (an env reference the agent added)', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      policy,
      policyText.replace(
        '[node, scripts/test.js]',
        '[node, scripts/test.js]\n    env:\n      TOKEN: envfile://TOKEN',
      ),
    );
    expect((await checkTrust(policy, { configDir, command: 'test' })).status).toBe('changed');
  });

  it('ignores comments and key order within an entry, which change nothing that runs', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      policy,
      `# a comment\n${policyText.replace('  - id: build\n    argv: [./build.sh]', '  - argv: [./build.sh]  # reordered\n    id: build')}`,
    );
    expect(await statuses(policy, configDir)).toEqual({
      deploy: 'trusted',
      build: 'trusted',
      test: 'trusted',
    });
  });

  it('reports the hash of the bytes it checked, so a caller can compare it with what it parses', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    const edited = policyText.replace('[./build.sh]', '[./build.sh, --all]');
    await writeFile(policy, edited);
    const check = await checkTrust(policy, { configDir, command: 'deploy' });
    const { createHash } = await import('node:crypto');
    expect(check).toEqual({
      status: 'trusted',
      policySha256: createHash('sha256').update(edited).digest('hex'),
      verified: expect.any(Array),
      programs: {},
    });
    // Only the pins of that command: its script, and not build's.
    const paths = check.status === 'trusted' ? check.verified.map((pin) => pin.path) : [];
    expect(paths).toContain(join(dirname(policy), 'scripts/deploy.js'));
    expect(paths).not.toContain(join(dirname(policy), 'build.sh'));
  });
});

describe('trust with commands', () => {
  it('trusts one command and leaves an edited other command refused', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      policy,
      policyText
        .replace('[./build.sh]', '[./build.sh, --all]')
        .replace('scripts/deploy.js, --prod', 'scripts/deploy.js, --staging'),
    );
    const record = await trust(policy, {
      providers: builtinProviderReferences,
      configDir,
      commands: ['build'],
    });
    expect(record.complete).toBe(false);
    expect(await statuses(policy, configDir)).toEqual({
      deploy: 'changed',
      build: 'trusted',
      test: 'trusted',
    });
    // Not every command is trusted, so the whole file is not either.
    expect((await checkTrust(policy, { configDir })).status).toBe('changed');
    // The diff base stays the text of the last full trust.
    expect(record.policyText).toBe(policyText);
  });

  it("keeps the trusted state of files only other commands pin, so trusting one command cannot launder another's edit", async () => {
    const { project, configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(project.path('scripts/deploy.js'), 'console.log(process.env.TOKEN)\n');
    await trust(policy, { providers: builtinProviderReferences, configDir, commands: ['test'] });
    expect((await checkTrust(policy, { configDir, command: 'deploy' })).status).toBe('changed');
    expect((await checkTrust(policy, { configDir, command: 'test' })).status).toBe('trusted');
  });

  it('untrusts a kept command whose pinned file changed when another command pinning the same file is trusted', async () => {
    const { project, configDir, policy } = await setup();
    await writeFile(
      policy,
      policyText.replace(
        '[node, scripts/test.js]',
        '[node, scripts/test.js]\n    pin: [scripts/deploy.js]',
      ),
    );
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(project.path('scripts/deploy.js'), 'console.log(process.env.TOKEN)\n');
    await trust(policy, { providers: builtinProviderReferences, configDir, commands: ['test'] });
    expect((await checkTrust(policy, { configDir, command: 'test' })).status).toBe('trusted');
    expect((await checkTrust(policy, { configDir, command: 'deploy' })).status).toBe('changed');
  });

  it('refuses an id the policy does not have, naming the ones it has', async () => {
    const { configDir, policy } = await setup();
    await expect(
      trust(policy, { providers: builtinProviderReferences, configDir, commands: ['nope'] }),
    ).rejects.toThrow(/no such command \(it has deploy, build, test\)/);
  });

  it('after trusting every command, the whole file is trusted again', async () => {
    const { configDir, policy } = await setup();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(policy, policyText.replace('[./build.sh]', '[./build.sh, --all]'));
    await trust(policy, { providers: builtinProviderReferences, configDir, commands: ['build'] });
    const record = await trust(policy, { providers: builtinProviderReferences, configDir });
    expect(record.complete).toBe(true);
    expect((await checkTrust(policy, { configDir })).status).toBe('trusted');
    expect(record.policyText).toBe(await readFile(policy, 'utf8'));
  });
});

describe('commandDigests', () => {
  it('has no digests for a text that does not parse, or an id given twice', () => {
    expect(commandDigests('commands: [')).toBeUndefined();
    const twice = commandDigests('commands:\n  - id: a\n  - id: a\n  - id: b\n');
    expect(twice?.byId.has('a')).toBe(false);
    expect(twice?.byId.has('b')).toBe(true);
  });
});

describe('structured pins', () => {
  const structured = `version: 1
provider: envfile
commands:
  - id: test
    argv: [npm, run, test]
    pin: [{ file: package.json, part: scripts.test }]
  - id: lint
    argv: [npm, run, lint]
    pin: [{ file: package.json, part: scripts.lint }]
  - id: deploy
    argv: [./deploy.sh]
`;
  const manifest = (scripts: Record<string, string>, dependencies: Record<string, string> = {}) =>
    `${JSON.stringify({ name: 'shop', scripts, dependencies }, null, 2)}\n`;

  async function project(): Promise<{ dir: TestDir; configDir: string; policy: string }> {
    const dir = await testdir({
      'ironrun.yml': structured,
      'package.json': manifest({ test: 'vitest run', lint: 'biome check .' }),
      'deploy.sh': '#!/bin/sh\necho deploy\n',
    });
    const config = await testdir();
    cleanups.push(dir.cleanup, config.cleanup);
    return { dir, configDir: join(config.dir, 'ironrun'), policy: dir.path('ironrun.yml') };
  }

  const all = async (policy: string, configDir: string) => {
    const out: Record<string, string> = {};
    for (const command of ['test', 'lint', 'deploy'])
      out[command] = (await checkTrust(policy, { configDir, command })).status;
    return out;
  };

  it('keeps every command trusted when package.json dependencies change', async () => {
    const { dir, configDir, policy } = await project();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      dir.path('package.json'),
      manifest({ lint: 'biome check .', test: 'vitest run' }, { left: '^1.0.0' }),
    );
    expect(await all(policy, configDir)).toEqual({
      test: 'trusted',
      lint: 'trusted',
      deploy: 'trusted',
    });
  });

  it('untrusts only test when the test script changes, naming the file and the part', async () => {
    const { dir, configDir, policy } = await project();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      dir.path('package.json'),
      manifest({ test: 'vitest run && node -e "console.log(process.env)"', lint: 'biome check .' }),
    );
    expect(await all(policy, configDir)).toEqual({
      test: 'changed',
      lint: 'trusted',
      deploy: 'trusted',
    });
    expect(await checkTrust(policy, { configDir, command: 'test' })).toEqual({
      status: 'changed',
      changed: [{ path: dir.path('package.json'), reason: 'modified', part: 'scripts.test' }],
    });
  });

  it('untrusts test when the agent adds a pretest script, which npm runs first with the same secrets', async () => {
    const { dir, configDir, policy } = await project();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(
      dir.path('package.json'),
      manifest({ pretest: 'node steal.js', test: 'vitest run', lint: 'biome check .' }),
    );
    expect((await checkTrust(policy, { configDir, command: 'test' })).status).toBe('changed');
  });

  it('untrusts test when package.json is deleted or replaced by a symlink to other content', async () => {
    const { dir, configDir, policy } = await project();
    await trust(policy, { providers: builtinProviderReferences, configDir });
    await writeFile(dir.path('other.json'), manifest({ test: 'env', lint: 'biome check .' }));
    const { rm, symlink } = await import('node:fs/promises');
    await rm(dir.path('package.json'));
    expect((await checkTrust(policy, { configDir, command: 'test' })).status).toBe('changed');
    await symlink(dir.path('other.json'), dir.path('package.json'));
    expect((await checkTrust(policy, { configDir, command: 'test' })).status).toBe('changed');
  });

  it('refuses a part pin in a file whose format has no parts', async () => {
    const { configDir, policy } = await project();
    await writeFile(
      policy,
      structured.replace(
        '{ file: package.json, part: scripts.lint }',
        '{ file: deploy.sh, part: main }',
      ),
    );
    await expect(
      trust(policy, { providers: builtinProviderReferences, configDir }),
    ).rejects.toThrow(/a part can be pinned only in/);
  });
});
