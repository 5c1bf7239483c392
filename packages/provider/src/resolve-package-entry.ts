// `fs.promises` looked up at each call: `ironrun run`'s bundle holds this file, and only a
// third-party provider calls it, so a run without one never loads node:fs/promises.
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, parse, sep } from 'node:path';

const conditions = new Set(['node', 'import', 'default']);

async function isFile(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isFile();
  } catch {
    return false;
  }
}

function conditionalTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = conditionalTarget(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [key, value] of Object.entries(target)) {
      if (!conditions.has(key)) continue;
      const found = conditionalTarget(value);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The `"."` entry of a package.json `exports` field for an ESM import, or `undefined`. */
export function mainExportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'object' && exports !== null && !Array.isArray(exports)) {
    const keys = Object.keys(exports);
    if (keys.some((key) => key.startsWith('.'))) {
      return conditionalTarget((exports as Record<string, unknown>)['.']);
    }
  }
  return conditionalTarget(exports);
}

/** Where the package was found and which file an ESM `import` of it loads. */
export interface PackageEntry {
  /** The real path of the package's folder. */
  packageDir: string;
  /** The real path of the entry file. */
  entry: string;
  /**
   * Absolute paths whose state decided this answer, apart from the package's own files:
   * every folder and symlink walked to reach the package folder, the `package.json` of
   * each earlier `node_modules` candidate (absent), and each entry candidate tried before
   * the one found (absent). Pinned unchanged, they make the same lookup find the same
   * package folder and the same entry.
   */
  decidedBy: string[];
}

/** Why a package entry could not be resolved. */
export type PackageEntryProblem =
  | { kind: 'not-installed'; searched: string[] }
  | { kind: 'bad-package-json'; packageDir: string }
  | { kind: 'no-entry'; packageDir: string; detail: string };

/**
 * Finds `name` in the `node_modules` folders of `projectDir` and its parents (as Node does)
 * and resolves the file `import(name)` would load from there: the `"."` export under the
 * `node`, `import` or `default` condition, else `main`, else `index.js`. The entry must stay
 * inside the package folder.
 */
export async function resolvePackageEntry(
  name: string,
  projectDir: string,
): Promise<PackageEntry | PackageEntryProblem> {
  const searched: string[] = [];
  const skipped: string[] = [];
  let dir = projectDir;
  for (;;) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name);
      searched.push(join(dir, 'node_modules'));
      if (await isFile(join(candidate, 'package.json'))) {
        const found = await entryOf(candidate);
        if ('kind' in found) return found;
        return {
          ...found,
          decidedBy: [...skipped, ...(await walkedPaths(candidate)), ...found.decidedBy],
        };
      }
      skipped.push(join(candidate, 'package.json'));
    }
    const parent = dirname(dir);
    if (parent === dir) return { kind: 'not-installed', searched };
    dir = parent;
  }
}

async function entryOf(candidate: string): Promise<PackageEntry | PackageEntryProblem> {
  const packageDir = await fs.realpath(candidate);
  let manifest: { exports?: unknown; main?: unknown };
  try {
    manifest = JSON.parse(await fs.readFile(join(packageDir, 'package.json'), 'utf8'));
    if (typeof manifest !== 'object' || manifest === null) throw new TypeError('not an object');
  } catch {
    return { kind: 'bad-package-json', packageDir };
  }
  const targets: string[] = [];
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const target = mainExportTarget(manifest.exports);
    if (target === undefined) {
      return { kind: 'no-entry', packageDir, detail: `its "exports" has no "." entry for import` };
    }
    if (!target.startsWith('./')) {
      return { kind: 'no-entry', packageDir, detail: `its "exports" target must start with "./"` };
    }
    targets.push(target);
  } else {
    if (typeof manifest.main === 'string' && manifest.main !== '') {
      targets.push(manifest.main, `${manifest.main}.js`, join(manifest.main, 'index.js'));
    }
    targets.push('index.js');
  }
  const tried: string[] = [];
  for (const target of targets) {
    const path = join(packageDir, target);
    if (!(await isFile(path))) {
      tried.push(path);
      continue;
    }
    const entry = await fs.realpath(path);
    if (!entry.startsWith(`${packageDir}${sep}`)) {
      return {
        kind: 'no-entry',
        packageDir,
        detail: `its entry ${target} leads outside the package`,
      };
    }
    return { packageDir, entry, decidedBy: tried };
  }
  return { kind: 'no-entry', packageDir, detail: `its entry file (${targets[0]}) does not exist` };
}

/** At most this many symlinks are followed on one path, as the kernel limits it. */
const maxSymlinkHops = 40;

/**
 * Every path `realpath(path)` visits: each folder prefix and each symlink, following the
 * symlinks' targets as the kernel does. If each still has the same kind (and a symlink the
 * same target), `realpath(path)` still gives the same answer.
 */
export async function walkedPaths(path: string): Promise<string[]> {
  const visited: string[] = [];
  const root = parse(path).root;
  let current = root;
  let pending = path.slice(root.length).split(sep);
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    visited.push(next);
    const info = await fs.lstat(next);
    if (!info.isSymbolicLink()) {
      current = next;
      continue;
    }
    hops += 1;
    if (hops > maxSymlinkHops) throw new Error(`too many symlinks on ${path}`);
    const target = await fs.readlink(next);
    if (isAbsolute(target)) current = parse(target).root;
    pending = [
      ...target.slice(isAbsolute(target) ? parse(target).root.length : 0).split(sep),
      ...pending,
    ];
  }
  return [...new Set(visited)];
}
