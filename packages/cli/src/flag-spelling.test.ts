import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgsDef } from 'citty';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { commands, runCli } from './main.js';
import { createStyle } from './terminal-style.js';

const repo = join(import.meta.dirname, '..', '..', '..');

function fakeIo(): CliIo & { stdout: string } {
  const io = {
    stdout: '',
    out(text: string) {
      io.stdout += text;
    },
    err() {},
    style: createStyle({ isTTY: false }),
    errStyle: createStyle({ isTTY: false }),
    env: {},
    cwd: '/nonexistent-ironrun-test',
  };
  return io;
}

/** Each command's options as citty declares them: name → type. */
async function declaredOptions(): Promise<Map<string, Map<string, string>>> {
  const table = new Map<string, Map<string, string>>();
  for (const [name, load] of Object.entries(commands)) {
    const command = await load();
    const defs: ArgsDef =
      (typeof command.args === 'function' ? await command.args() : await command.args) ?? {};
    const options = new Map<string, string>();
    for (const [option, def] of Object.entries(defs)) {
      if (def.type !== 'positional') options.set(option, def.type ?? 'boolean');
    }
    table.set(name, options);
  }
  return table;
}

/** The documents a user reads for flags: READMEs, docs/, SECURITY.md, and doctor's and init's own texts. */
function documents(): { file: string; text: string }[] {
  const files = [
    'README.md',
    'SECURITY.md',
    'packages/cli/README.md',
    'apps/ironrun/README.md',
    'apps/action/README.md',
    ...readdirSync(join(repo, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
    ...readdirSync(join(repo, 'examples'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `examples/${entry.name}/README.md`),
    ...['doctor', 'init', 'commands', 'agent'].flatMap((folder) =>
      readdirSync(join(repo, 'packages/cli/src', folder))
        .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
        .map((name) => `packages/cli/src/${folder}/${name}`),
    ),
  ];
  return files.flatMap((file) => {
    try {
      return [{ file, text: readFileSync(join(repo, file), 'utf8') }];
    } catch {
      return [];
    }
  });
}

/**
 * Every `ironrun <command> … --flag` a document spells: the flags up to the
 * end of the code span, a comment, a table cell, or `--` (past which the
 * words belong to the sealed command).
 */
function spelledFlags(text: string): { command: string; flag: string; line: number }[] {
  const found: { command: string; flag: string; line: number }[] = [];
  text.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(/\bironrun ([a-z]+)\b([^`|#;"')]*)/g)) {
      const command = match[1] ?? '';
      const rest = (match[2] ?? '').split(/\s--(?:\s|$)/)[0] ?? '';
      for (const flag of rest.matchAll(/(?:^|[\s[])(--[A-Za-z][A-Za-z0-9-]*)/g)) {
        found.push({ command, flag: flag[1] ?? '', line: index + 1 });
      }
    }
  });
  return found;
}

describe('flag spelling', () => {
  it('prints no camelCase flag in the --help of the root or of any command', async () => {
    const names = Object.keys(commands);
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const args of [['--help'], ...names.map((name) => [name, '--help'])]) {
      const io = fakeIo();
      expect(await runCli(args, io)).toBe(0);
      expect(io.stdout).toMatch(/USAGE/);
      const flags = [...io.stdout.matchAll(/--[A-Za-z][A-Za-z0-9-]*/g)].map((m) => m[0]);
      expect(
        flags.filter((flag) => /[A-Z]/.test(flag)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('declares every option of every command in kebab-case', async () => {
    for (const [command, options] of await declaredOptions()) {
      for (const option of options.keys()) {
        expect(option, `ironrun ${command}`).toMatch(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/);
      }
    }
  });

  it('still accepts the old camelCase spelling of a flag, unlisted', async () => {
    const io = fakeIo();
    // --dryRun is known (exit 0, nothing written), not an unknown option (exit 2).
    expect(await runCli(['init', '/nonexistent-ironrun-test/x', '--dryRun', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ dry_run: true });
  });

  it('spells each flag the READMEs, docs and doctor name as the command declares it', async () => {
    const table = await declaredOptions();
    const global = new Set(['--help', '--version']);
    const problems: string[] = [];
    let checked = 0;
    for (const { file, text } of documents()) {
      for (const { command, flag, line } of spelledFlags(text)) {
        const options = table.get(command);
        if (options === undefined || global.has(flag)) continue;
        checked++;
        const name = flag.slice(2);
        const negated = name.startsWith('no-') ? name.slice(3) : undefined;
        const known =
          options.has(name) || (negated !== undefined && options.get(negated) === 'boolean');
        if (!known) problems.push(`${file}:${line}: ironrun ${command} ${flag}`);
      }
    }
    expect(checked).toBeGreaterThan(15);
    expect(problems).toEqual([]);
  });

  it('finds a camelCase or undeclared flag in a document (the check itself)', () => {
    expect(spelledFlags('run `ironrun init --claudeHooks --dry-run -- --x`')).toEqual([
      { command: 'init', flag: '--claudeHooks', line: 1 },
      { command: 'init', flag: '--dry-run', line: 1 },
    ]);
  });
});
