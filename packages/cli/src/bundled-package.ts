import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// For dist/run.cjs and dist/agent.cjs only (see tsup.config.ts), which have @ironrun/core and
// the packages it depends on bundled in: code of theirs that finds a file by its own location
// (the sandbox's native init, core's built-in providers) would look beside the bundle, where
// a strict node_modules layout (pnpm) has neither. It looks where that package is installed instead,
// found the way Node finds it from here: @ironrun/core from the CLI, then each next package
// from the one before.

/**
 * `import()` of an ES module, handed to dist/run.cjs and dist/agent.cjs by their loader
 * (src/run-bundle.ts): code that `vm` compiled has no `import()` of its own. Not defined
 * where this file runs as an ES module (the tests).
 */
declare const __ironrunImport: ((specifier: string) => Promise<unknown>) | undefined;

/** This file's path: that of the bundle it is in (run.cjs, agent.cjs), or its own as an ES module. */
function bundleFile(): string {
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

/**
 * The sandbox's `installedPackageFile` (core's `./installed-package-file`), loaded when first
 * called. Not a static import: core's built-in providers import this file in the bundles
 * (tsup.config.ts), so a static import would evaluate the sandbox (`node:crypto` and all) as
 * dist/agent.cjs loads, before `ironrun agent` starts the agent, where only the providers'
 * declarations are needed; and not core's root, whose every module a `require` of it would
 * evaluate. esbuild bundles this `require` as a call that evaluates that one entry then.
 */
function installedPackageFile(folder: string, name: string, entry: string): string {
  const core =
    require('@ironrun/core/installed-package-file') as typeof import('@ironrun/core/installed-package-file');
  return core.installedPackageFile(folder, name, entry);
}

const located = new Map<string, string>();

/**
 * The file URL of the entry of the last package of `chain`, each package resolved from the
 * one before it, the first from this file (the bundle): `['@ironrun/core',
 * '@ironrun/sandbox']` is where the sandbox that the CLI's core depends on is installed.
 * Resolved once per process, as `require.resolve` resolves (see `installedPackageFile`).
 */
export function bundledPackageUrl(chain: readonly string[]): string {
  const key = chain.join('\0');
  let url = located.get(key);
  if (url === undefined) {
    let file = bundleFile();
    for (const name of chain) file = installedPackageFile(dirname(file), name, '.');
    url = pathToFileURL(file).href;
    located.set(key, url);
  }
  return url;
}

/** `import(specifier)` as the last package of `chain` would run it (see {@link bundledPackageUrl}). */
export function importFromBundledPackage(
  chain: readonly string[],
  specifier: string,
): Promise<unknown> {
  const url = pathToFileURL(createRequire(bundledPackageUrl(chain)).resolve(specifier)).href;
  return typeof __ironrunImport === 'function' ? __ironrunImport(url) : import(url);
}
