import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** How the agent's shell starts ironrun, and which install that was read from. */
export interface IronrunInvocation {
  /** The words before `run <id>`, e.g. `['pnpm', 'exec', 'ironrun']`. */
  readonly words: readonly string[];
  /**
   * - `bin`: `--bin`, as given;
   * - `project`: the project's own `node_modules/@ironrun/cli`;
   * - `path`: the running ironrun is the `ironrun` on PATH;
   * - `absolute`: the running install, by its absolute path (it is not on PATH);
   * - `npx`: nothing lasting is installed (an `npx` or `dlx` cache, or no install), so the
   *   pinned package through `npx -y`.
   */
  readonly kind: 'bin' | 'project' | 'path' | 'absolute' | 'npx';
}

/** What {@link ironrunInvocation} looks at; each field defaults to the running process. */
export interface InvocationFacts {
  readonly projectDir: string;
  /** `--bin`, split into words; `undefined` when not given. */
  readonly bin?: readonly string[];
  /** The running CLI's version, pinned in the `npx` form. */
  readonly version: string;
  /** The running program: a node script's path as started (`process.argv[1]`). */
  readonly argv1?: string;
  readonly execPath?: string;
  /** True in the single-file binary (a Node single executable application). */
  readonly singleExecutable?: boolean;
  /** `PATH` of the person's shell, which the agent inherits. */
  readonly pathEnv?: string;
}

/** Caches of on-demand runners: a CLI there may be removed at any time. */
const ephemeral = /[/\\](?:_npx|dlx)[/\\]|[/\\](?:bunx|xfs)-[^/\\]*[/\\]/;

function realpathOr(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The first `ironrun` on `pathEnv` that is an executable file, as its real path. */
function ironrunOnPath(pathEnv: string): string | undefined {
  for (const folder of pathEnv.split(delimiter)) {
    if (folder === '' || !isAbsolute(folder)) continue;
    const candidate = join(folder, 'ironrun');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return realpathOr(candidate);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * The shell form of ironrun that works for the install `init` runs from, for
 * the agent instructions (the agent's shell inherits the person's PATH and
 * starts in the project folder). In order:
 * 1. `--bin` as given (the person said how ironrun is started);
 * 2. the project's own install: `pnpm exec ironrun` in a pnpm project, else
 *    `./node_modules/.bin/ironrun`;
 * 3. `ironrun`, when the `ironrun` on PATH is the running one;
 * 4. the running install by its absolute path (the single-file binary, or the
 *    `bin` link it was started through, or `node <cli.js>`);
 * 5. `npx -y @ironrun/cli@<version>` when the running CLI lies in an `npx`,
 *    `pnpm dlx`, `bunx` or `yarn dlx` cache, which can be cleaned at any time.
 */
export function ironrunInvocation(facts: InvocationFacts): IronrunInvocation {
  if (facts.bin !== undefined && facts.bin.length > 0) return { words: facts.bin, kind: 'bin' };
  const dir = facts.projectDir;
  if (
    existsSync(join(dir, 'node_modules', '@ironrun', 'cli', 'package.json')) &&
    existsSync(join(dir, 'node_modules', '.bin', 'ironrun'))
  ) {
    return existsSync(join(dir, 'pnpm-lock.yaml'))
      ? { words: ['pnpm', 'exec', 'ironrun'], kind: 'project' }
      : { words: ['./node_modules/.bin/ironrun'], kind: 'project' };
  }
  const execPath = facts.execPath ?? process.execPath;
  const single = facts.singleExecutable ?? false;
  const started = single ? execPath : (facts.argv1 ?? process.argv[1]);
  const running = started === undefined ? undefined : realpathOr(resolve(started));
  const npx = { words: ['npx', '-y', `@ironrun/cli@${facts.version}`], kind: 'npx' } as const;
  if (started === undefined || running === undefined || ephemeral.test(running)) return npx;
  const onPath = ironrunOnPath(facts.pathEnv ?? process.env.PATH ?? '');
  if (onPath !== undefined && onPath === running) return { words: ['ironrun'], kind: 'path' };
  if (single) return { words: [execPath], kind: 'absolute' };
  // Started through a `bin` link (its own path differs from the script's): that link runs it.
  const link = resolve(started);
  if (link !== running) return { words: [link], kind: 'absolute' };
  return { words: [execPath, running], kind: 'absolute' };
}

/** Quotes `word` for `sh` where it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
