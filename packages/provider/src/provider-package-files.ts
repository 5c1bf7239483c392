// `fs.promises` looked up at each call: `ironrun run`'s bundle holds this file, and only a
// third-party provider calls it, so a run without one never loads node:fs/promises.
import { promises as fs } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ProviderError } from './provider-error.js';

/** Options of {@link providerPackageFiles}. */
export interface ProviderPackageFilesOptions {
  /**
   * The most files listed. A package holding more is refused rather than pinned in part:
   * a file left out could be edited unseen.
   * @default 5000
   */
  maxFiles?: number;
}

/**
 * Every file of a provider package, as absolute paths in a stable order: each regular file
 * and each symlink (never followed) under `dir`, at any depth, except inside folders named
 * `node_modules`. `ironrun trust` pins them, so editing, replacing or removing one after
 * trust makes ironrun refuse to run. Throws {@link ProviderError} `LOAD` when the package
 * holds more than `maxFiles` files or cannot be read.
 *
 * @example
 * const found = await resolveProviderPackage('ironrun-provider-vault', { projectDir });
 * const files = await providerPackageFiles(found.dir); // ['/…/dist/index.js', '/…/package.json']
 */
export async function providerPackageFiles(
  dir: string,
  options: ProviderPackageFilesOptions = {},
): Promise<string[]> {
  const maxFiles = options.maxFiles ?? 5000;
  if (!Number.isSafeInteger(maxFiles) || maxFiles < 1) {
    throw new ProviderError('LOAD', `maxFiles must be a positive integer; got ${String(maxFiles)}`);
  }
  if (typeof dir !== 'string' || !isAbsolute(dir)) {
    throw new ProviderError('LOAD', 'the provider package folder must be an absolute path');
  }
  const files: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new ProviderError(
        'LOAD',
        `cannot list ${folder} to pin the provider package; check its permissions or reinstall it`,
        { cause: error },
      );
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') pending.push(path);
        continue;
      }
      files.push(path);
      if (files.length > maxFiles) {
        throw new ProviderError(
          'LOAD',
          `the provider package at ${dir} holds more than ${maxFiles} files, too many to pin; ironrun refuses rather than pin part of it (publish the provider bundled into a few files)`,
        );
      }
    }
  }
  return files.sort();
}
