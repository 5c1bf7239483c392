import { join } from 'node:path';
import { builtinProviderReferences } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { isPolicyError, type PolicyError } from './policy-error.js';
import { parsePolicy, validatePolicy } from './validate-policy.js';

const root = join('/', 'srv', 'app');
const filename = join(root, 'ironrun.yml');

/** A one-command policy with `command` lines (indented under the command) appended. */
function policyWith(command: string, head = 'version: 1\nprovider: 1password\n'): string {
  const lines = command === '' ? [] : command.split('\n').map((line) => `    ${line}`);
  return `${head}commands:\n  - id: deploy\n    argv: [./deploy.sh, --prod]\n${lines.join('\n')}\n`;
}

/** Like {@link policyWith}, with a program looked up on PATH instead of a project script. */
function policyWithProgram(command: string, head?: string): string {
  return policyWith(command, head).replace('./deploy.sh', 'make');
}

function issueLines(text: string, schemes: readonly string[] = []): string[] {
  return validatePolicy(text, {
    providers: builtinProviderReferences,
    filename,
    schemes,
  }).issues.map((issue) => `${issue.line}:${issue.column} ${issue.code} ${issue.message}`);
}

describe('parsePolicy', () => {
  it('normalizes the example policy of the design', () => {
    const policy = parsePolicy(
      [
        'version: 1',
        'provider: 1password',
        'commands:',
        '  - id: deploy',
        '    argv: [./deploy.sh, --prod]',
        '    env:',
        '      STRIPE_SECRET: op://vault/stripe/key',
        '      AWS_SECRET: op://vault/aws/secret',
        '      NODE_ENV: production',
        '    ttl: 30s',
        '    no_network: true',
      ].join('\n'),
      { providers: builtinProviderReferences, filename },
    );
    expect(policy).toEqual({
      path: filename,
      dir: root,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      version: 1,
      provider: { name: '1password', options: {} },
      commands: [
        {
          id: 'deploy',
          argv: ['./deploy.sh', '--prod'],
          env: {
            STRIPE_SECRET: { kind: 'secret', ref: 'op://vault/stripe/key', scheme: 'op' },
            AWS_SECRET: { kind: 'secret', ref: 'op://vault/aws/secret', scheme: 'op' },
            NODE_ENV: { kind: 'literal', value: 'production' },
          },
          ttlMs: 30_000,
          noNetwork: true,
          cwd: root,
          allow: [],
          pin: [],
          confirm: false,
          maxOutputBytes: 16_384,
        },
      ],
    });
  });

  it('applies the built-in defaults: 60s, network on, the policy folder, 16 KiB, no confirm, no args', () => {
    const [command] = parsePolicy(policyWith(''), {
      providers: builtinProviderReferences,
      filename,
    }).commands;
    expect(command).toMatchObject({
      ttlMs: 60_000,
      noNetwork: false,
      cwd: root,
      maxOutputBytes: 16_384,
      confirm: false,
    });
    expect(command).not.toHaveProperty('args');
    expect(command).not.toHaveProperty('path');
    expect(command).not.toHaveProperty('description');
  });

  it('applies defaults: from the policy, overridden by the command', () => {
    const policy = parsePolicy(
      'version: 1\nprovider: envfile\ndefaults: { ttl: 5m, no_network: true, cwd: app }\ncommands:\n' +
        '  - { id: a, argv: [x] }\n  - { id: b, argv: [x], ttl: 500ms, no_network: false, cwd: other }\n',
      { providers: builtinProviderReferences, filename },
    );
    expect(policy.commands.map(({ ttlMs, noNetwork, cwd }) => ({ ttlMs, noNetwork, cwd }))).toEqual(
      [
        { ttlMs: 300_000, noNetwork: true, cwd: join(root, 'app') },
        { ttlMs: 500, noNetwork: false, cwd: join(root, 'other') },
      ],
    );
  });

  it('reads every optional command key', () => {
    const [command] = parsePolicy(
      policyWith(
        [
          'description: Deploys to production',
          'allow: [/usr/bin/node]',
          'path: /usr/local/bin:/usr/bin',
          'args: { pattern: "[a-z]+", max: 3, allow_options: true }',
          'pin: [scripts/lib.sh, package.json]',
          'confirm: true',
          'max_output: 1MiB',
        ].join('\n'),
      ),
      { providers: builtinProviderReferences, filename },
    ).commands;
    expect(command).toMatchObject({
      description: 'Deploys to production',
      allow: ['/usr/bin/node'],
      path: '/usr/local/bin:/usr/bin',
      args: { pattern: '[a-z]+', maxCount: 3, allowOptions: true },
      pin: ['scripts/lib.sh', 'package.json'],
      confirm: true,
      maxOutputBytes: 1_048_576,
    });
  });

  it('defaults args to one argument without options', () => {
    const [command] = parsePolicy(policyWith('args: { pattern: "[a-z]+" }'), {
      providers: builtinProviderReferences,
      filename,
    }).commands;
    expect(command?.args).toEqual({ pattern: '[a-z]+', maxCount: 1, allowOptions: false });
  });

  it('reads max_output as a number of bytes', () => {
    expect(
      parsePolicy(policyWith('max_output: 4096'), {
        providers: builtinProviderReferences,
        filename,
      }).commands[0]?.maxOutputBytes,
    ).toBe(4096);
  });

  it('reads a provider with options', () => {
    const policy = parsePolicy(
      policyWith('', 'version: 1\nprovider: { name: doppler, project: backend, config: prd }\n'),
      { providers: builtinProviderReferences, filename },
    );
    expect(policy.provider).toEqual({
      name: 'doppler',
      options: { project: 'backend', config: 'prd' },
    });
  });

  it('reads a third-party provider package and its scheme', () => {
    const policy = parsePolicy(
      policyWith(
        'env: { TOKEN: "vault://kv/app#token" }',
        'version: 1\nprovider: "@acme/ironrun-provider-vault"\n',
      ),
      { providers: builtinProviderReferences, filename, schemes: ['vault'] },
    );
    expect(policy.provider.name).toBe('@acme/ironrun-provider-vault');
    expect(policy.commands[0]?.env.TOKEN).toEqual({
      kind: 'secret',
      ref: 'vault://kv/app#token',
      scheme: 'vault',
    });
  });

  it('passes a { literal } value as is, even when it looks like a reference', () => {
    const [command] = parsePolicy(
      policyWith('env: { API_URL: { literal: "https://api.example.com" } }'),
      {
        filename,
      },
    ).commands;
    expect(command?.env.API_URL).toEqual({ kind: 'literal', value: 'https://api.example.com' });
  });

  it('keeps an env named __proto__ out, and env names as own properties', () => {
    expect(issueLines(policyWith('env: { __proto__: x }'))).toEqual([
      expect.stringContaining('FORBIDDEN_ENV commands[0].env.__proto__'),
    ]);
    const [command] = parsePolicy(policyWith('env: { constructor: x }'), {
      providers: builtinProviderReferences,
      filename,
    }).commands;
    expect(Object.hasOwn(command!.env, 'constructor')).toBe(true);
  });

  it('names the policy <policy> and uses the current folder without a file name', () => {
    const policy = parsePolicy(policyWith(''));
    expect(policy.path).toBe('');
    expect(policy.dir).toBe(process.cwd());
    try {
      parsePolicy('version: 2');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('<policy>:1:10:');
    }
  });

  it('ignores a byte order mark', () => {
    expect(parsePolicy(`\uFEFF${policyWith('')}`).commands).toHaveLength(1);
  });

  it('throws one PolicyError listing every problem', () => {
    let caught: unknown;
    try {
      parsePolicy(policyWith('ttl: 5 minutes\nno_netwrok: true'), {
        providers: builtinProviderReferences,
        filename: 'ironrun.yml',
      });
    } catch (error) {
      caught = error;
    }
    expect(isPolicyError(caught)).toBe(true);
    const error = caught as PolicyError;
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.filename).toBe('ironrun.yml');
    expect(error.issues.map((issue) => issue.code)).toEqual(['INVALID_VALUE', 'UNKNOWN_KEY']);
    expect(error.message.split('\n')).toEqual([
      'invalid policy ironrun.yml (2 problems):',
      'ironrun.yml:6:10: commands[0].ttl: expected a duration: a whole number and a unit (ms, s, m or h), e.g. 500ms, 30s, 5m',
      'ironrun.yml:7:5: commands[0].no_netwrok: unknown key; did you mean "no_network"?',
    ]);
  });

  it('refuses an options.schemes entry that is not a scheme name', () => {
    expect(() => parsePolicy(policyWith(''), { schemes: ['not a scheme'] })).toThrow(TypeError);
  });
});

describe('validatePolicy', () => {
  it('returns the policy and no issues for a valid text', () => {
    const result = validatePolicy(policyWith(''), {
      providers: builtinProviderReferences,
      filename,
    });
    expect(result.issues).toEqual([]);
    expect(result.policy?.commands[0]?.id).toBe('deploy');
  });

  it('returns issues as data, with paths', () => {
    const result = validatePolicy(policyWith('ttl: 0s'), {
      providers: builtinProviderReferences,
      filename,
    });
    expect(result.policy).toBeUndefined();
    expect(result.issues).toEqual([
      {
        code: 'INVALID_VALUE',
        message: 'commands[0].ttl: must be longer than 0',
        path: ['commands', 0, 'ttl'],
        line: 6,
        column: 10,
      },
    ]);
  });

  describe('YAML', () => {
    it('reports syntax errors with their position', () => {
      expect(issueLines('version: 1\ncommands: [a\n')).toEqual([
        expect.stringMatching(/^3:1 YAML_SYNTAX /),
      ]);
    });

    it('reports duplicate keys', () => {
      expect(issueLines(policyWith('ttl: 5s\nttl: 50s'))).toEqual([
        '7:5 DUPLICATE_KEY Map keys must be unique',
      ]);
    });

    it('refuses anchors, aliases and tags', () => {
      const text = policyWith('env: { A: &a x, B: *a, C: !!str 1 }');
      expect(issueLines(text).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
        '6:18 YAML_SYNTAX',
        '6:24 YAML_SYNTAX',
        '6:37 YAML_SYNTAX',
      ]);
    });

    it('refuses merge keys as unknown keys', () => {
      expect(issueLines(policyWith('<<: { ttl: 5s }'))).toEqual([
        expect.stringContaining('UNKNOWN_KEY commands[0]["<<"]'),
      ]);
    });

    it('refuses non-string keys', () => {
      expect(issueLines(policyWith('env: { 1: x }'))).toEqual([
        '6:12 YAML_SYNTAX keys must be plain strings',
      ]);
    });

    it('refuses more than one document', () => {
      expect(issueLines(`${policyWith('')}---\nversion: 1\n`)[0]).toMatch(/YAML_SYNTAX/);
    });

    it('refuses an empty file and a file that is not a mapping', () => {
      expect(issueLines('')).toEqual([expect.stringContaining('MISSING_KEY the policy is empty')]);
      expect(issueLines('# only a comment\n')).toEqual([
        expect.stringContaining('MISSING_KEY the policy is empty'),
      ]);
      expect(issueLines('- a\n- b\n')).toEqual(['1:1 INVALID_TYPE expected a mapping, got a list']);
      expect(issueLines('just text\n')).toEqual([
        '1:1 INVALID_TYPE expected a mapping with version, provider and commands, got a string',
      ]);
    });

    it.each([
      ['flow sequences', '['.repeat(100_000)],
      ['flow mappings', '{'.repeat(50_000)],
      ['compact block sequences', `${'- '.repeat(20_000)}x`],
      [
        'indented block mappings',
        Array.from({ length: 500 }, (_, depth) => `${' '.repeat(depth)}a:`).join('\n'),
      ],
    ])('refuses %s nested hundreds deep without exhausting the stack', (_kind, text) => {
      const lines = issueLines(text);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\d+:\d+ YAML_SYNTAX nested deeper than 32 levels$/);
    });

    it('accepts nesting up to the limit in provider options', () => {
      const options = `${'{ a: '.repeat(25)}1${' }'.repeat(25)}`;
      expect(
        issueLines(policyWith('', `version: 1\nprovider: { name: custom, deep: ${options} }\n`)),
      ).toEqual([]);
    });

    it('lists at most 50 problems in the message and all of them in issues', () => {
      const keys = Array.from({ length: 60 }, (_, index) => `bogus${index}: 1`).join('\n');
      let error: PolicyError | undefined;
      try {
        parsePolicy(policyWith(keys), {
          providers: builtinProviderReferences,
          filename: 'ironrun.yml',
        });
      } catch (caught) {
        error = caught as PolicyError;
      }
      expect(error?.issues).toHaveLength(60);
      const lines = error?.message.split('\n') ?? [];
      expect(lines).toHaveLength(52);
      expect(lines.at(-1)).toBe('… and 10 more');
    });

    it('refuses a policy over 1 MiB', () => {
      expect(issueLines(`# ${'x'.repeat(1024 * 1024)}\n${policyWith('')}`)).toEqual([
        '1:1 INVALID_VALUE the policy is larger than 1 MiB',
      ]);
    });
  });

  describe('keys', () => {
    it('reports every unknown key, with a suggestion for near misses', () => {
      expect(issueLines(`${policyWith('no_netwrok: true\ntimeout: 5s')}defualts: {}\n`)).toEqual([
        '6:5 UNKNOWN_KEY commands[0].no_netwrok: unknown key; did you mean "no_network"?',
        '7:5 UNKNOWN_KEY commands[0].timeout: unknown key',
        '8:1 UNKNOWN_KEY defualts: unknown key; did you mean "defaults"?',
      ]);
    });

    it('reports unknown keys in defaults and args', () => {
      expect(
        issueLines(
          policyWith(
            'args: { pattern: x, maxx: 2 }',
            'version: 1\nprovider: envfile\ndefaults: { tll: 5s }\n',
          ),
        ),
      ).toEqual([
        '3:13 UNKNOWN_KEY defaults.tll: unknown key; did you mean "ttl"?',
        '7:25 UNKNOWN_KEY commands[0].args.maxx: unknown key; did you mean "max"?',
      ]);
    });

    it('reports missing required keys at their mapping', () => {
      expect(issueLines('provider: envfile\ncommands:\n  - description: x\n')).toEqual([
        '1:1 MISSING_KEY missing required key "version"',
        '3:5 MISSING_KEY commands[0]: missing required key "id"',
        '3:5 MISSING_KEY commands[0]: missing required key "argv"',
      ]);
    });

    it('reports a list where a mapping belongs', () => {
      expect(issueLines(policyWith('env: [A, B]'))).toEqual([
        '6:10 INVALID_TYPE commands[0].env: expected a mapping, got a list',
      ]);
    });
  });

  describe('version and provider', () => {
    it('refuses another version', () => {
      expect(issueLines(policyWith('', 'version: 2\nprovider: envfile\n'))).toEqual([
        '1:10 INVALID_TYPE version: unsupported policy version; this ironrun reads version 1',
      ]);
      expect(issueLines(policyWith('', 'version: "1"\nprovider: envfile\n'))).toEqual([
        '1:10 INVALID_TYPE version: expected the number 1, got a string',
      ]);
    });

    it('refuses a malformed provider name and a provider mapping without a name', () => {
      expect(issueLines(policyWith('', 'version: 1\nprovider: My Vault\n'))).toEqual([
        expect.stringMatching(/^2:11 INVALID_VALUE provider: expected a provider name/),
      ]);
      expect(issueLines(policyWith('', 'version: 1\nprovider: { project: x }\n'))).toEqual([
        '2:11 MISSING_KEY provider: missing required key "name"',
      ]);
    });
  });

  describe('commands', () => {
    it('refuses duplicate ids, naming the first', () => {
      expect(issueLines(`${policyWith('')}  - { id: deploy, argv: [x] }\n`)).toEqual([
        '7:11 DUPLICATE_ID commands[1].id: duplicate id; commands[0] on line 4 already uses it',
      ]);
    });

    it('refuses ids that are not slugs', () => {
      expect(
        issueLines(
          policyWith('', 'version: 1\nprovider: envfile\n').replace('deploy', 'Deploy Prod'),
        )[0],
      ).toMatch(/^4:9 INVALID_VALUE commands\[0\]\.id: expected an id of lowercase letters/);
    });

    it('refuses an empty argv, an empty program and non-string elements', () => {
      const text =
        'version: 1\nprovider: envfile\ncommands:\n  - { id: a, argv: [] }\n  - { id: b, argv: [""] }\n  - { id: c, argv: [sleep, 5] }\n';
      expect(issueLines(text)).toEqual([
        '4:20 INVALID_VALUE commands[0].argv: argv may not be empty: it needs at least the program to run',
        '5:21 INVALID_VALUE commands[1].argv[0]: the program may not be empty',
        '6:28 INVALID_TYPE commands[2].argv[1]: expected a string (quote numbers), got a number',
      ]);
    });

    it('refuses a NUL byte in argv', () => {
      expect(issueLines(policyWith('').replace('--prod', '"--pr\\0od"'))).toEqual([
        '5:25 INVALID_VALUE commands[0].argv[1]: an argv element may not contain a NUL byte',
      ]);
    });

    it('refuses a relative program outside the project', () => {
      expect(issueLines(policyWith('').replace('./deploy.sh', '../other/deploy.sh'))).toEqual([
        expect.stringMatching(
          /^5:12 OUTSIDE_PROJECT commands\[0\]\.argv\[0\]: a relative program must stay inside/,
        ),
      ]);
    });

    it('refuses bad ttl values', () => {
      expect(issueLines(policyWith('ttl: 30'))).toEqual([
        expect.stringMatching(/^6:10 INVALID_TYPE commands\[0\]\.ttl: expected a duration/),
      ]);
      expect(issueLines(policyWith('ttl: 2d'))).toEqual([
        expect.stringMatching(/^6:10 INVALID_VALUE/),
      ]);
      expect(issueLines(policyWith('ttl: 48h'))).toEqual([
        '6:10 INVALID_VALUE commands[0].ttl: must be at most 24h',
      ]);
    });

    it('refuses non-boolean flags', () => {
      expect(issueLines(policyWith('no_network: yes\nconfirm: 1'))).toEqual([
        '6:17 INVALID_TYPE commands[0].no_network: expected true or false, got a string',
        '7:14 INVALID_TYPE commands[0].confirm: expected true or false, got a number',
      ]);
    });

    it('refuses bad max_output values', () => {
      expect(issueLines(policyWith('max_output: 16KB'))).toEqual([
        expect.stringMatching(
          /^6:17 INVALID_VALUE commands\[0\]\.max_output: expected a number of bytes/,
        ),
      ]);
      expect(issueLines(policyWith('max_output: 100'))).toEqual([
        '6:17 INVALID_VALUE commands[0].max_output: must be at least 256 bytes',
      ]);
      expect(issueLines(policyWith('max_output: 64MiB'))).toEqual([
        '6:17 INVALID_VALUE commands[0].max_output: must be at most 8MiB',
      ]);
    });

    it('keeps cwd inside the policy folder, also through ..', () => {
      const policyWith = (command: string, head?: string) => policyWithProgram(command, head);
      expect(issueLines(policyWith('cwd: ../elsewhere'))).toEqual([
        '6:10 OUTSIDE_PROJECT commands[0].cwd: must stay inside the policy folder',
      ]);
      expect(issueLines(policyWith('cwd: a/../../b'))).toEqual([
        '6:10 OUTSIDE_PROJECT commands[0].cwd: must stay inside the policy folder',
      ]);
      expect(issueLines(policyWith('cwd: /etc'))).toEqual([
        '6:10 OUTSIDE_PROJECT commands[0].cwd: must be relative to the policy folder, not absolute',
      ]);
      expect(issueLines(policyWith('cwd: a/../b'))).toEqual([]);
      expect(
        issueLines(policyWith('', 'version: 1\nprovider: envfile\ndefaults: { cwd: .. }\n')),
      ).toEqual(['3:18 OUTSIDE_PROJECT defaults.cwd: must stay inside the policy folder']);
    });

    it('takes write: folders relative to the policy folder or absolute, never the root or out through ..', () => {
      expect(issueLines(policyWith('write: [../shared, /, a/../..]'))).toEqual([
        '6:13 OUTSIDE_PROJECT commands[0].write[0]: a relative entry must stay inside the policy folder; name a folder outside it by its absolute path',
        '6:24 INVALID_VALUE commands[0].write[1]: the root folder would let the command write anywhere; name the folders it needs',
        '6:27 OUTSIDE_PROJECT commands[0].write[2]: a relative entry must stay inside the policy folder; name a folder outside it by its absolute path',
      ]);
      expect(issueLines(policyWith('write: [""]'))[0]).toMatch(
        /write\[0\]: a write entry may not be empty/,
      );
      const policy = parsePolicy(policyWith('write: [build/cache, /var/cache/app/]'), {
        providers: builtinProviderReferences,
        filename,
      });
      expect(policy.commands[0]?.write).toEqual([
        join(root, 'build', 'cache'),
        join('/', 'var', 'cache', 'app'),
      ]);
      expect(
        parsePolicy(policyWith(''), { providers: builtinProviderReferences, filename }).commands[0],
      ).not.toHaveProperty('write');
    });

    it('keeps pin entries inside the policy folder', () => {
      expect(issueLines(policyWith('pin: [ok.sh, ../../etc/passwd]'))).toEqual([
        '6:18 OUTSIDE_PROJECT commands[0].pin[1]: must stay inside the policy folder',
      ]);
    });

    it('accepts only absolute path entries outside the project', () => {
      expect(issueLines(policyWith('path: "bin:/usr/bin"'))).toEqual([
        '6:11 INVALID_VALUE commands[0].path: entries must be absolute folders',
      ]);
      expect(issueLines(policyWith('path: "/usr/bin::/bin"'))).toEqual([
        '6:11 INVALID_VALUE commands[0].path: has an empty entry, which would mean the current folder',
      ]);
      expect(issueLines(policyWith(`path: "${root}/node_modules/.bin:/usr/bin"`))).toEqual([
        expect.stringMatching(
          /^6:11 OUTSIDE_PROJECT commands\[0\]\.path: an entry lies inside the project/,
        ),
      ]);
    });

    it('attack: refuses an args pattern that would close its anchoring group', () => {
      for (const escaping of ['a)|(.*', 'a)|(?:.*', 'a)|.*|(?:b']) {
        expect(issueLines(policyWith(`args: { pattern: ${JSON.stringify(escaping)} }`))).toEqual([
          expect.stringMatching(
            /^6:\d+ INVALID_VALUE commands\[0\]\.args\.pattern: not a valid regular expression on its own/,
          ),
        ]);
      }
    });

    it('refuses an args rule with a bad pattern or count', () => {
      expect(issueLines(policyWith('args: { pattern: "([a-z]+", max: 0 }'))).toEqual([
        '6:22 INVALID_VALUE commands[0].args.pattern: not a valid regular expression (Unterminated group)',
        '6:38 INVALID_VALUE commands[0].args.max: must be at least 1',
      ]);
      expect(issueLines(policyWith('args: { max: 2 }'))).toEqual([
        '6:11 MISSING_KEY commands[0].args: missing required key "pattern"',
      ]);
      expect(issueLines(policyWith('args: { pattern: x, max: 1.5 }'))).toEqual([
        '6:30 INVALID_VALUE commands[0].args.max: expected a whole number',
      ]);
    });
  });

  describe('env', () => {
    it('refuses invalid names', () => {
      expect(issueLines(policyWith('env: { A-B: x, 9A: y }'))).toEqual([
        '6:12 INVALID_VALUE commands[0].env.A-B: expected an env name: a letter or "_", then letters, digits or "_"',
        '6:20 INVALID_VALUE commands[0].env.9A: expected an env name: a letter or "_", then letters, digits or "_"',
      ]);
    });

    it.each([
      'LD_PRELOAD',
      'LD_LIBRARY_PATH',
      'NODE_OPTIONS',
      'BASH_ENV',
      'ENV',
      'DYLD_INSERT_LIBRARIES',
      'PATH',
    ])('refuses %s, which would subvert the sandbox', (name) => {
      expect(issueLines(policyWith(`env: { ${name}: x }`))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^6:12 FORBIDDEN_ENV commands\\[0\\]\\.env\\.${name}: a policy may not set this variable: `,
          ),
        ),
      ]);
    });

    it('refuses a value that is not a string, with a hint to quote it', () => {
      expect(issueLines(policyWith('env: { PORT: 8080 }'))).toEqual([
        '6:18 INVALID_TYPE commands[0].env.PORT: expected a secret reference (op://…) or a plain string; quote numbers and booleans ("8080"), got a number',
      ]);
    });

    it('refuses a reference to a scheme no provider claims, and never repeats the value', () => {
      const lines = issueLines(
        policyWith('env: { DATABASE_URL: "postgres://admin:s3cr3t-pa55@db/app" }'),
      );
      expect(lines).toEqual([
        expect.stringMatching(
          /^6:26 UNKNOWN_SCHEME commands\[0\]\.env\.DATABASE_URL: no provider claims/,
        ),
      ]);
      expect(lines.join('\n')).not.toContain('s3cr3t');
    });

    it('refuses a malformed built-in reference', () => {
      expect(issueLines(policyWith('env: { A: op://vault/item }'))).toEqual([
        '6:15 INVALID_REFERENCE commands[0].env.A: malformed op reference; expected op://vault/item/field or op://vault/item/section/field',
      ]);
    });

    it('refuses a built-in reference the chosen built-in provider does not resolve', () => {
      expect(issueLines(policyWith('env: { A: doppler://KEY }'))).toEqual([
        '6:15 INVALID_REFERENCE commands[0].env.A: the provider is 1password, which does not resolve doppler:// references (doppler does)',
      ]);
    });

    it('never repeats a literal value in any message', () => {
      const secret = 'sk_live_0123456789abcdef';
      const text = policyWith(
        `env: { STRIPE: ${secret}, LD_PRELOAD: ${secret}, "bad-name": ${secret}, N: [${secret}] }\nbogus: ${secret}`,
      );
      const result = validatePolicy(text, { providers: builtinProviderReferences, filename });
      expect(result.issues.length).toBeGreaterThan(2);
      expect(JSON.stringify(result.issues)).not.toContain(secret);
    });
  });
});

describe('parsePolicy: isolation and limits', () => {
  it('normalizes isolation and limits (sizes, cpu rounded up to whole seconds)', () => {
    const [command] = parsePolicy(
      policyWith(
        'isolation: best-effort\nlimits:\n  memory: 2GiB\n  cpu: 1500ms\n  processes: 64\n  file_size: 1048576',
      ),
      { filename },
    ).commands;
    expect(command?.isolation).toBe('best-effort');
    expect(command?.limits).toEqual({
      memoryBytes: 2 * 1024 ** 3,
      cpuSeconds: 2,
      processes: 64,
      fileSizeBytes: 1_048_576,
    });
  });

  it('leaves both out when the policy does not set them (strict, the sandbox defaults)', () => {
    const [command] = parsePolicy(policyWith(''), { filename }).commands;
    expect(command?.isolation).toBeUndefined();
    expect(command?.limits).toBeUndefined();
  });

  it('refuses an unknown isolation, an unknown limit and a malformed size', () => {
    expect(issueLines(policyWith('isolation: none')).join('\n')).toContain('strict or best-effort');
    expect(issueLines(policyWith('limits:\n  core: 1'))).not.toEqual([]);
    expect(issueLines(policyWith('limits:\n  memory: 2GB'))).not.toEqual([]);
    expect(issueLines(policyWith('limits:\n  processes: 0'))).not.toEqual([]);
  });
});
