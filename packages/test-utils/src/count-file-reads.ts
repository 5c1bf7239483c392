import fs from 'node:fs';
import { realpath } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Patched = 'open' | 'readFile';

/**
 * Counts the opens and whole-file reads of `target` (by real path) made through
 * `node:fs/promises` and `node:fs` while `body` runs, in this process. The built-in
 * module's exports are swapped and re-synced (`syncBuiltinESMExports`) so that ES module
 * imports see the spies.
 */
export async function countFileReads(
  target: string,
  body: () => Promise<unknown>,
): Promise<number> {
  const real = await realpath(target);
  let reads = 0;
  const matches = (path: unknown) => {
    if (typeof path !== 'string' && !(path instanceof URL)) return false;
    const absolute = resolve(path instanceof URL ? fileURLToPath(path) : path);
    return absolute === real || absolute === target;
  };
  const promises = fs.promises as unknown as Record<Patched, (...args: unknown[]) => unknown>;
  const sync = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = {
    open: promises.open,
    readFile: promises.readFile,
    openSync: sync.openSync,
    readFileSync: sync.readFileSync,
  };
  const spy =
    (original: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      if (matches(args[0])) reads += 1;
      return original(...args);
    };
  promises.open = spy(originals.open);
  promises.readFile = spy(originals.readFile);
  sync.openSync = spy(originals.openSync!);
  sync.readFileSync = spy(originals.readFileSync!);
  syncBuiltinESMExports();
  try {
    await body();
  } finally {
    promises.open = originals.open;
    promises.readFile = originals.readFile;
    sync.openSync = originals.openSync!;
    sync.readFileSync = originals.readFileSync!;
    syncBuiltinESMExports();
  }
  return reads;
}
