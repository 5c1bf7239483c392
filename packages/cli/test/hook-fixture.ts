import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { type CliRun, runProcess } from './cli-process.js';

/** The built guard entry `init` registers (dist/guard.cjs). */
export const guardEntry = fileURLToPath(new URL('../dist/guard.cjs', import.meta.url));

/** A project and home the guard hook e2e tests share (test/*hooks*.e2e, guard*.e2e). */
export interface GuardedProject {
  readonly home: TestDir;
  readonly project: TestDir;
  /** HOME and a config folder of its own: what every hook and `ironrun` call gets. */
  readonly env: Record<string, string>;
  /** `~/secrets/demo.env`, which holds `STRIPE_KEY=<secret>` (mode 600). */
  readonly envfile: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh home with `~/secrets/demo.env` holding `secret`, and a project whose ironrun.yml
 * gives the command `deploy` (`./scripts/deploy.sh`, plus `deployArgs`) STRIPE_KEY from it,
 * then `moreCommands` (policy lines, indented as list items).
 */
export async function guardedProject(options: {
  secret: string;
  deployArgs?: readonly string[];
  moreCommands?: readonly string[];
}): Promise<GuardedProject> {
  const home = await testdir();
  const project = await testdir({
    'ironrun.yml': [
      'version: 1',
      'provider:',
      '  name: envfile',
      '  path: ~/secrets/demo.env',
      'commands:',
      '  - id: deploy',
      `    argv: [${['./scripts/deploy.sh', ...(options.deployArgs ?? [])].join(', ')}]`,
      '    env:',
      '      STRIPE_KEY: envfile://STRIPE_KEY',
      ...(options.moreCommands ?? []),
      '',
    ].join('\n'),
    'scripts/deploy.sh': '#!/bin/sh\necho deploying\n',
  });
  const envfile = join(home.dir, 'secrets', 'demo.env');
  await mkdir(join(home.dir, 'secrets'), { recursive: true });
  await writeFile(envfile, `STRIPE_KEY=${options.secret}\n`, { mode: 0o600 });
  return {
    home,
    project,
    env: { HOME: home.dir, IRONRUN_CONFIG_DIR: join(home.dir, 'ironrun-config') },
    envfile,
    async cleanup() {
      await project.cleanup();
      await home.cleanup();
    },
  };
}

/** Runs a hook command as Claude Code, Cursor and Gemini CLI do: `sh -c <command>`, the hook JSON on stdin. */
export function runHookCommand(
  command: string,
  input: string,
  options: { cwd: string; env: Record<string, string> },
): Promise<CliRun> {
  return runProcess('/bin/sh', ['-c', command], { ...options, input });
}

/**
 * The hook `command` (as `init` wrote it, naming `guardEntry`) with its guard broken in each
 * way an install can be: the file missing, not JavaScript, throwing at once, and `node`
 * missing. The broken files are written under `dir`. Each must still block (exit 2).
 */
export async function brokenGuardHooks(
  command: string,
  guardEntry: string,
  dir: string,
): Promise<{ what: string; command: string }[]> {
  // Each case must change the command, or it would test the working hook.
  if (!command.includes(guardEntry) || !command.includes(process.execPath)) {
    throw new Error(`the hook does not name ${guardEntry} and ${process.execPath}: ${command}`);
  }
  const folder = join(dir, 'broken-guards');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'syntax.cjs'), 'this is not javascript (\n');
  await writeFile(join(folder, 'throws.cjs'), "throw new Error('boom');\n");
  return [
    {
      what: 'the guard file missing',
      command: command.replace(guardEntry, join(folder, 'gone.cjs')),
    },
    { what: 'a syntax error', command: command.replace(guardEntry, join(folder, 'syntax.cjs')) },
    { what: 'a throw', command: command.replace(guardEntry, join(folder, 'throws.cjs')) },
    { what: 'node missing', command: command.replace(process.execPath, '/nonexistent/bin/node') },
  ];
}
