import { existsSync, realpathSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { findProgram, locateProgram, pathFolders } from './init/toolchains.js';

/** A command whose program the seal finds somewhere else than the person's shell does. */
export interface ProgramDrift {
  /** The command id. */
  readonly command: string;
  /** Its `argv[0]`. */
  readonly program: string;
  /** Where the seal finds it (the command's `path:`, else the default path), or `undefined`. */
  readonly sealed: string | undefined;
  /** Where the person's shell finds it (a shim followed to its version). */
  readonly shell: string;
  /** What to change, in one sentence. */
  readonly fix: string;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The commands whose bare `argv[0]` resolves in another folder inside the seal
 * than in the person's shell (`env.PATH`, shims followed through their
 * version files), each with the `path:` that would match the shell. A program
 * the shell does not find, or a shim whose version cannot be read, is left out.
 */
export function programDrifts(
  commands: readonly { id: string; argv: readonly string[]; path?: string | undefined }[],
  options: {
    projectDir: string;
    env: Readonly<Record<string, string | undefined>>;
    defaultPath: string;
  },
): ProgramDrift[] {
  const drifts: ProgramDrift[] = [];
  for (const command of commands) {
    const program = command.argv[0];
    if (program === undefined || program === '' || program.includes('/')) continue;
    const venv = projectVenvDrift(command, program, options);
    if (venv !== undefined) {
      drifts.push(venv);
      continue;
    }
    const located = locateProgram(program, options);
    if (located !== undefined && 'note' in located) continue;
    const shellFolder = located?.folder ?? findProgram(program, pathFolders(options.env.PATH));
    if (shellFolder === undefined) continue;
    const sealedPath = command.path ?? options.defaultPath;
    const sealedFolder = findProgram(program, pathFolders(sealedPath));
    const shell = join(shellFolder, program);
    const sealed = sealedFolder === undefined ? undefined : join(sealedFolder, program);
    // Folders, not files, are compared: a venv's python3 links to the system one but
    // runs the venv, and npm runs the node beside it; /bin and /usr/bin may be one folder.
    if (sealedFolder !== undefined && realOrSelf(sealedFolder) === realOrSelf(shellFolder))
      continue;
    const path = [shellFolder, ...pathFolders(sealedPath).filter((dir) => dir !== shellFolder)];
    drifts.push({
      command: command.id,
      program,
      sealed,
      shell,
      fix: `set "path: ${path.join(delimiter)}" on command "${command.id}", then a person runs \`ironrun trust\``,
    });
  }
  return drifts;
}

/**
 * The drift of a bare program the person's shell finds first in a venv
 * inside the project (an activated `.venv`): a `path:` may not name that
 * folder, so the fix is the venv's python as `argv[0]`.
 */
function projectVenvDrift(
  command: { id: string; argv: readonly string[]; path?: string | undefined },
  program: string,
  options: {
    projectDir: string;
    env: Readonly<Record<string, string | undefined>>;
    defaultPath: string;
  },
): ProgramDrift | undefined {
  const folder = findProgram(program, pathFolders(options.env.PATH));
  if (folder === undefined || basename(folder) !== 'bin') return undefined;
  const venv = dirname(folder);
  const project = realOrSelf(options.projectDir);
  const rel = relative(project, realOrSelf(venv));
  if (rel === '' || rel.startsWith('..') || rel.startsWith('/')) return undefined;
  if (!existsSync(join(venv, 'pyvenv.cfg'))) return undefined;
  const sealedFolder = findProgram(program, pathFolders(command.path ?? options.defaultPath));
  const python = /^python(?:3(?:\.\d+)?)?$/.test(program);
  const rest = command.argv.slice(1).join(', ');
  const argv = python
    ? `[${rel}/bin/${program}${rest === '' ? '' : `, ${rest}`}]`
    : `[${rel}/bin/python3, -m, ${program}${rest === '' ? '' : `, ${rest}`}]`;
  return {
    command: command.id,
    program,
    sealed: sealedFolder === undefined ? undefined : join(sealedFolder, program),
    shell: join(folder, program),
    fix: `a path: may not name a folder in the project, so set "argv: ${argv}" on command "${command.id}", then a person runs \`ironrun trust\``,
  };
}

/** One line for `check` and `doctor`. */
export function driftLine(drift: ProgramDrift): string {
  const inSeal =
    drift.sealed === undefined ? 'is not found in the seal' : `is ${drift.sealed} in the seal`;
  return `${drift.command}: ${drift.program} ${inSeal}, but ${drift.shell} in your shell; ${drift.fix}`;
}
