import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';

// Node's resolver of a package's `exports` (which `createRequire(…).resolve` calls for a package
// that has them) is the ES module loader's: resolving a package through it loads that part of
// the loader and reads each package.json through it, milliseconds on every `ironrun run`
// (bench/run-overhead.bench.mjs of @ironrun/cli). Our packages export each file as a plain path,
// so for that one shape the package.json is read here and the path joined; any other shape goes
// to Node's resolver, so the answer is the one Node gives (with symlinks resolved, its default),
// with one difference: only the node_modules folders above `from` are searched, never the
// folders the environment adds (NODE_PATH; HOME's .node_modules), which whoever starts ironrun
// (an agent) sets.

/** An export of `exports`: a relative path, or `{ types?, default }` naming one (our packages' shape). */
function plainTarget(target: unknown): string | undefined {
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    const keys = Object.keys(target);
    if (!keys.includes('default') || keys.some((key) => key !== 'types' && key !== 'default'))
      return undefined;
    target = (target as { default: unknown }).default;
  }
  if (typeof target !== 'string' || !target.startsWith('./') || target.includes('*'))
    return undefined;
  // No `..`, `.` or empty segment, no `node_modules` segment: Node refuses those targets.
  const segments = target.slice(2).split(/[\\/]/);
  return segments.every(
    (part) => part !== '' && part !== '.' && part !== '..' && part.toLowerCase() !== 'node_modules',
  )
    ? target
    : undefined;
}

/** `exports[subpath]`, when `exports` maps it (or is, for `.`) to a plain path. */
function exportedPath(exports: unknown, subpath: string): string | undefined {
  if (typeof exports === 'string' || Array.isArray(exports)) {
    return subpath === '.' ? plainTarget(exports) : undefined;
  }
  if (typeof exports !== 'object' || exports === null) return undefined;
  const keys = Object.keys(exports);
  // An object of conditions (no key starts with `.`) is the export of `.` alone.
  if (keys.length > 0 && keys.every((key) => !key.startsWith('.')))
    return subpath === '.' ? plainTarget(exports) : undefined;
  return Object.hasOwn(exports, subpath)
    ? plainTarget((exports as Record<string, unknown>)[subpath])
    : undefined;
}

/** The folder of package `name` in the first node_modules above `from` that holds one, as Node's CommonJS lookup takes it. */
function nodeModulesFolder(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const folder = join(dir, 'node_modules', name);
      // The first node_modules holding the name settles it: Node looks no further either.
      if (statSync(folder, { throwIfNoEntry: false }) !== undefined) return folder;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The file `createRequire(join(from, 'index.js')).resolve(name + subpath.slice(1))` names:
 * `subpath` (`.` or `./…`) of package `name` as installed where Node's CommonJS lookup from
 * the folder `from` finds it, its real path. For a package whose `exports` give that subpath
 * as a plain path (a string or `{ types, default }`), it reads the package.json itself and
 * joins the path, without loading Node's ES module resolver; anything else (no `exports`, a
 * pattern, other conditions) is Node's own `resolve`. Unlike `resolve`, it finds only a package
 * in a node_modules folder above `from`, never one on NODE_PATH or in the global folders, which
 * the environment names: such a package is not found (`MODULE_NOT_FOUND`). Throws what Node's
 * `resolve` throws, or the error of a missing file.
 */
export function installedPackageFile(from: string, name: string, subpath: string): string {
  const request = subpath === '.' ? name : `${name}${subpath.slice(1)}`;
  const folder = nodeModulesFolder(from, name);
  if (folder === undefined) throw notInstalled(request, from);
  let manifest: { exports?: unknown } | undefined;
  try {
    manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
      exports?: unknown;
    };
  } catch {
    // no package.json, or one Node's resolver reports on
  }
  const target =
    typeof manifest === 'object' && manifest !== null && manifest.exports !== undefined
      ? exportedPath(manifest.exports, subpath)
      : undefined;
  if (target !== undefined) return realpathSync.native(join(folder, target));
  const file = createRequire(join(from, 'index.js')).resolve(request);
  // Where that folder does not settle it, Node goes on upward and then to NODE_PATH: not here.
  const real = realpathSync.native(folder);
  if (!file.startsWith(`${real}${sep}`)) throw notInstalled(request, from);
  return file;
}

function notInstalled(request: string, from: string): Error {
  return Object.assign(
    new Error(`Cannot find '${request}' in a node_modules folder above ${from}`),
    { code: 'MODULE_NOT_FOUND' },
  );
}
