import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One package of the workspace, as the import-graph check sees it. */
export interface WorkspacePackage {
  /** The `name` field of its package.json. */
  readonly name: string;
  /** Its folder, absolute. */
  readonly dir: string;
  /** Its folder, relative to the workspace root, with `/` separators. */
  readonly relDir: string;
  /** The parsed package.json. */
  readonly manifest: Readonly<Record<string, unknown>>;
}

/**
 * One dependency of a package on another: an import in its production source or an entry in
 * its package.json runtime dependencies.
 */
export interface PackageEdge {
  /** The importing package's name. */
  readonly from: string;
  /**
   * The imported package's name, or {@link outsideAnyPackage} for a relative import that leaves
   * the package into a folder no package owns.
   */
  readonly to: string;
  /** Where the edge is written: `packages/cli/src/x.ts` or `packages/cli/package.json dependencies`. */
  readonly site: string;
}

/** The `to` of a relative import that leaves its package into a folder no package owns. */
export const outsideAnyPackage = '(outside any package)';

/** The folders whose direct children are workspace packages the check covers. */
export const packageFolders = ['packages', 'apps', 'examples'] as const;

/**
 * The runtime dependency fields of package.json. `devDependencies` are left out: they serve
 * tests and builds, and what a bundled app (the Action, the binary) ships is exactly what its
 * `src/` imports, which the source scan covers.
 */
const runtimeDependencyFields = ['dependencies', 'peerDependencies', 'optionalDependencies'];

const sourceFile = /\.(?:[cm]?[jt]s|tsx)$/;
const testOnlyFile = /\.(?:test|spec|bench|e2e)\.[^/]*$|\.d\.[cm]?ts$/;

/** Lists the packages under `packages/`, `apps/` and `examples/` of the workspace at `root`. */
export function listWorkspacePackages(root: string): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const folder of packageFolders) {
    const parent = join(root, folder);
    if (!isDirectory(parent)) continue;
    for (const entry of readdirSync(parent).sort()) {
      const dir = join(parent, entry);
      const manifestPath = join(dir, 'package.json');
      if (!isFile(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
      if (typeof manifest.name !== 'string') continue;
      found.push({ name: manifest.name, dir, relDir: `${folder}/${entry}`, manifest });
    }
  }
  return found;
}

/**
 * Collects every edge from each package to another workspace package: static and dynamic
 * `import`, `export … from`, `import type`, `typeof import()` and `require()` of a workspace
 * package in its production source (`src/`, without tests, benchmarks and declaration files),
 * relative imports that leave the package, and its runtime package.json dependencies.
 * Comments and string contents are not imports (the TypeScript pre-processor reads the
 * imports, not a regex).
 */
export function collectPackageEdges(root: string): PackageEdge[] {
  const packages = listWorkspacePackages(root);
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const edges: PackageEdge[] = [];
  for (const pkg of packages) {
    for (const field of runtimeDependencyFields) {
      const deps = pkg.manifest[field];
      if (typeof deps !== 'object' || deps === null) continue;
      for (const dep of Object.keys(deps)) {
        if (byName.has(dep)) {
          edges.push({ from: pkg.name, to: dep, site: `${pkg.relDir}/package.json ${field}` });
        }
      }
    }
    for (const file of listSourceFiles(join(pkg.dir, 'src'))) {
      const site = relative(root, file).split(sep).join('/');
      const targets = new Set<string>();
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        const target = packageOfSpecifier(specifier, file, pkg, packages, byName);
        if (target !== undefined && target !== pkg.name) targets.add(target);
      }
      for (const to of [...targets].sort()) edges.push({ from: pkg.name, to, site });
    }
  }
  return edges;
}

/** Every module specifier the source imports, re-exports or requires. */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((ref) => ref.fileName);
}

function packageOfSpecifier(
  specifier: string,
  file: string,
  pkg: WorkspacePackage,
  packages: readonly WorkspacePackage[],
  byName: ReadonlyMap<string, WorkspacePackage>,
): string | undefined {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const target = resolve(dirname(file), specifier);
    if (isWithin(pkg.dir, target)) return undefined;
    return packages.find((other) => isWithin(other.dir, target))?.name ?? outsideAnyPackage;
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return name !== undefined && byName.has(name) ? name : undefined;
}

/** Lexical: these are source paths of the repository, not paths an attacker controls. */
function isWithin(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function listSourceFiles(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...listSourceFiles(path));
    } else if (sourceFile.test(entry.name) && !testOnlyFile.test(entry.name)) {
      files.push(path);
    }
  }
  return files.sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
