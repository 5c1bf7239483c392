import { join } from 'node:path';
import { testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { macosSandboxProfile } from './macos-sandbox-profile.js';
import { agentSecrets } from './secret-locations.js';

// No macOS here: these tests read the generated profile as sandbox-exec's Scheme reader would
// (strings with backslash escapes, lists) and evaluate its file and process rules the way SBPL
// does (the default, then the last rule that matches wins). What sandbox-exec itself does with
// the profile is untested.

type Form = string | { string: string } | Form[];

/** Reads SBPL text into forms: lists, symbols and strings (`\\`, `\"`, `\n`, `\t` escapes). */
function readProfile(text: string): Form[] {
  let at = 0;
  const form = (): Form => {
    while (/\s/.test(text[at] ?? '')) at++;
    const char = text[at];
    if (char === undefined) throw new Error('unexpected end of profile');
    if (char === ';') throw new Error('a comment in the profile');
    if (char === '(') {
      at++;
      const list: Form[] = [];
      for (;;) {
        while (/\s/.test(text[at] ?? '')) at++;
        if (text[at] === ')') {
          at++;
          return list;
        }
        list.push(form());
      }
    }
    if (char === ')') throw new Error('unbalanced )');
    if (char === '"') {
      at++;
      let value = '';
      for (;;) {
        const next = text[at++];
        if (next === undefined) throw new Error('unterminated string');
        if (next === '"') return { string: value };
        if (next === '\\') {
          const escaped = text[at++];
          const table: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t' };
          if (escaped === undefined || table[escaped] === undefined) {
            throw new Error(`unknown escape \\${escaped}`);
          }
          value += table[escaped];
        } else value += next;
      }
    }
    const symbol = /^[^\s()";]+/.exec(text.slice(at))?.[0];
    if (symbol === undefined) throw new Error(`unreadable at ${at}`);
    at += symbol.length;
    return symbol;
  };
  const forms: Form[] = [];
  for (;;) {
    while (/\s/.test(text[at] ?? '')) at++;
    if (at >= text.length) return forms;
    forms.push(form());
  }
}

interface Rule {
  action: 'allow' | 'deny';
  operations: string[];
  filters: { kind: string; value: string }[];
}

function rules(profile: string): Rule[] {
  return readProfile(profile).flatMap((form) => {
    if (!Array.isArray(form) || (form[0] !== 'allow' && form[0] !== 'deny')) return [];
    const operations = form.slice(1).filter((part): part is string => typeof part === 'string');
    const filters = form.slice(1).flatMap((part) => {
      if (!Array.isArray(part)) return [];
      const [kind, value] = part;
      if (typeof kind !== 'string') throw new Error('a filter without a name');
      const text =
        typeof value === 'string'
          ? value
          : value !== undefined && !Array.isArray(value)
            ? value.string
            : '';
      return [{ kind, value: text }];
    });
    return [{ action: form[0], operations, filters }];
  });
}

const matchesOperation = (pattern: string, operation: string) =>
  pattern === operation ||
  pattern === 'default' ||
  (pattern.endsWith('*') && operation.startsWith(pattern.slice(0, -1)));

/** Whether `operation` on `path` is denied: the last rule that matches decides (default allow). */
function deniesFile(profile: string, operation: string, path: string): boolean {
  let denied = false;
  for (const rule of rules(profile)) {
    if (!rule.operations.some((pattern) => matchesOperation(pattern, operation))) continue;
    const matches =
      rule.filters.length === 0 ||
      rule.filters.some(
        (filter) =>
          (filter.kind === 'literal' && filter.value === path) ||
          (filter.kind === 'subpath' &&
            (path === filter.value || path.startsWith(`${filter.value}/`))),
      );
    if (matches) denied = rule.action === 'deny';
  }
  return denied;
}

/** Whether `operation` on a process is denied for a target of `target` ('others' or 'same-sandbox'). */
function deniesProcess(profile: string, operation: string, target: 'others' | 'same-sandbox') {
  let denied = false;
  for (const rule of rules(profile)) {
    if (!rule.operations.some((pattern) => matchesOperation(pattern, operation))) continue;
    const targets = rule.filters.filter((filter) => filter.kind === 'target');
    // A process outside the sandbox is only "others"; one in it is both "others" and "same-sandbox".
    const hit = targets.some(
      (filter) =>
        filter.kind === 'target' && (filter.value === target || filter.value === 'others'),
    );
    if (targets.length === 0 || hit) denied = rule.action === 'deny';
  }
  return denied;
}

describe('macosSandboxProfile', () => {
  it('denies reading and writing every secret location secret-locations.ts finds, present or absent', async () => {
    const home = await testdir({
      'cfg/secrets.env': 'API_TOKEN=x\n',
      '.config/op/config': '{}',
      '.doppler/.doppler.yaml': 'token: x\n',
      'vault/project.env': 'X=1\n',
      'project/ironrun.yml': [
        'version: 1',
        'provider: { name: envfile, path: ../vault/project.env }',
        'commands:',
        '  - { id: t, argv: [./t.sh] }',
        '',
      ].join('\n'),
    });
    try {
      const secrets = await agentSecrets({
        env: { HOME: home.dir },
        configDir: home.path('cfg'),
        policyPath: home.path('project/ironrun.yml'),
        home: home.dir,
      });
      const profile = macosSandboxProfile(
        secrets.locations,
        secrets.absent.map((location) => location.path),
      );
      const paths = [
        ...secrets.locations.map((location) => location.path),
        ...secrets.absent.map((location) => location.path),
      ];
      // The config folder, the project's envfile, a present and an absent vault CLI folder.
      expect(paths).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\/cfg$/),
          expect.stringMatching(/\/vault\/project\.env$/),
          expect.stringMatching(/\/\.doppler$/),
          expect.stringMatching(/\/\.infisical$/),
        ]),
      );
      for (const location of secrets.locations) {
        expect(deniesFile(profile, 'file-read-data', location.path), location.path).toBe(true);
        expect(deniesFile(profile, 'file-write-data', location.path), location.path).toBe(true);
        if (location.kind === 'directory') {
          const inside = join(location.path, 'trust', 'record.json');
          expect(deniesFile(profile, 'file-read-data', inside), inside).toBe(true);
          expect(deniesFile(profile, 'file-write-create', inside), inside).toBe(true);
        }
      }
      // A location made after the start (a vault CLI login) is denied as a file or a folder.
      for (const { path } of secrets.absent) {
        expect(deniesFile(profile, 'file-read-data', path), path).toBe(true);
        expect(deniesFile(profile, 'file-read-data', join(path, 'token')), path).toBe(true);
      }
      // The work stays readable and writable, and so does home beside the secrets.
      const project = home.path('project/src/main.ts');
      expect(deniesFile(profile, 'file-read-data', project)).toBe(false);
      expect(deniesFile(profile, 'file-write-create', project)).toBe(false);
      expect(deniesFile(profile, 'file-read-data', home.path('.bashrc'))).toBe(false);
      expect(deniesFile(profile, 'file-read-data', `${home.path('cfg')}-other/x`)).toBe(false);
    } finally {
      await home.cleanup();
    }
  });

  it('denies renaming a folder above a secret (which would move it to a path no rule names), not listing it', async () => {
    const profile = macosSandboxProfile([
      { path: '/Users/u/vault/secrets.env', kind: 'file', reason: 'envfile' },
    ]);
    for (const folder of ['/Users/u/vault', '/Users/u', '/Users']) {
      expect(deniesFile(profile, 'file-write-unlink', folder), folder).toBe(true);
      expect(deniesFile(profile, 'file-read-data', folder), folder).toBe(false);
    }
    expect(deniesFile(profile, 'file-write-create', '/Users/u/vault/notes.txt')).toBe(false);
  });

  it('denies inspecting, signalling and debugging processes outside its sandbox, and allows them inside', () => {
    const profile = macosSandboxProfile([]);
    for (const operation of [
      'process-info-pidinfo',
      'process-info-codesignature',
      'signal',
      'mach-priv-task-port',
      'mach-task-name',
    ]) {
      expect(deniesProcess(profile, operation, 'others'), operation).toBe(true);
    }
    for (const operation of ['process-info-pidinfo', 'signal', 'mach-priv-task-port']) {
      expect(deniesProcess(profile, operation, 'same-sandbox'), operation).toBe(false);
    }
  });

  it('escapes crafted paths: each reads back as itself and adds no rule', () => {
    const crafted = [
      '/Users/u/x")) (allow file-read* (subpath "/Users/u/vault',
      '/Users/u/back\\slash\\") (allow default) ;',
      '/Users/u/new\nline; #| (allow file-read*) |#',
      '/Users/u/quote"in"name/secrets.env',
    ];
    const profile = macosSandboxProfile(
      crafted.map((path, index) => ({
        path,
        kind: index % 2 === 0 ? 'directory' : 'file',
        reason: 'crafted',
      })),
      ['/Users/u/absent")(allow file-read* (subpath "/'],
    );
    const parsed = rules(profile);
    // Only the fixed rules: one file deny, one folder deny, the process rules.
    expect(parsed.filter((rule) => rule.action === 'allow').map((rule) => rule.operations)).toEqual(
      [['default'], ['process-info*'], ['signal'], ['mach-priv-task-port']],
    );
    const fileDeny = parsed.find(
      (rule) => rule.action === 'deny' && rule.operations.includes('file-read*'),
    );
    const hidden = fileDeny?.filters.map((filter) => filter.value);
    expect(fileDeny?.operations).toEqual(['file-read*', 'file-write*']);
    expect(hidden).toEqual([...crafted, '/Users/u/absent")(allow file-read* (subpath "/']);
    for (const path of crafted) expect(deniesFile(profile, 'file-read-data', path)).toBe(true);
    // What an injected rule would have opened stays closed.
    expect(deniesFile(profile, 'file-read-data', '/Users/u/vault')).toBe(false);
    expect(deniesFile(profile, 'file-read-data', crafted[0] as string)).toBe(true);
  });

  it('has no file rule when there is nothing to hide', () => {
    const parsed = rules(macosSandboxProfile([]));
    expect(parsed.some((rule) => rule.operations.some((op) => op.startsWith('file-')))).toBe(false);
  });
});

// Keeps the helpers honest: the reader refuses what sandbox-exec would read differently.
describe('the SBPL reader of these tests', () => {
  it('fails on an unterminated string and an unknown escape', () => {
    expect(() => readProfile('(deny file-read* (literal "/x))')).toThrow(/unterminated/);
    expect(() => readProfile('(deny file-read* (literal "/x\\q"))')).toThrow(/unknown escape/);
  });

  it('sees a rule injected by an unescaped path', () => {
    const path = '/Users/u/x")) (allow file-read* (subpath "/Users/u/vault';
    const naive = `(version 1)\n(allow default)\n(deny file-read* (subpath "${path}"))`;
    expect(rules(naive).filter((rule) => rule.action === 'allow')).toHaveLength(2);
  });
});
