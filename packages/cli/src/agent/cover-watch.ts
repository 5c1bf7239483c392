import { type FSWatcher, lstatSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** What changed outside: a secret location that appeared, or a covered one that was replaced. */
export interface CoverChange {
  path: string;
  reason: string;
  change: 'created' | 'replaced';
}

interface Watched {
  path: string;
  reason: string;
  /** The inode covered at the start; `undefined` for a location that did not exist. */
  inode: number | undefined;
}

function inodeOf(path: string): number | undefined {
  try {
    return lstatSync(path).ino;
  } catch {
    return undefined;
  }
}

/** The nearest folder of `path` that exists, and the name in it that leads to `path`. */
function nearestExisting(path: string): { folder: string; next: string } | undefined {
  let child = path;
  let folder = dirname(path);
  while (inodeOf(folder) === undefined) {
    if (folder === dirname(folder)) return undefined;
    child = folder;
    folder = dirname(folder);
  }
  return { folder, next: basename(child) };
}

/** The covers of a start as they were before the launch, to watch once the agent is on its way. */
export interface CoverBaseline {
  /**
   * Starts watching, and calls `onChange` once when a location changed since the baseline was
   * taken: before this call (each location is checked again once its watch is armed) or after.
   */
  arm(onChange: (change: CoverChange) => void): { close(): void };
}

/**
 * The watch, from outside, of the secret locations of a running confinement for the two changes
 * a mount cannot follow; once armed ({@link CoverBaseline.arm}) it calls `onChange` once when
 * one happens:
 *
 * - a location that did not exist at the start is created (nothing covers it: a mount needs a
 *   mount point, and making one would create files in the person's home);
 * - a covered location is removed or replaced, for example by an editor that saves by rename or
 *   by `rm -r` and a new login: the kernel then detaches the agent's cover of the old one, and
 *   the agent would see the new one.
 *
 * Changes inside a covered folder, and writes to a covered file in place, keep the cover and are
 * not reported. Only the folders holding the locations are watched (inotify, no polling). It is
 * a tripwire, not a wall: between the change and the agent being stopped there are a few
 * milliseconds in which an agent reading the path in a loop could read it.
 *
 * This takes the baseline, the inode of each covered location, now. Taken before the launch and
 * armed right after it, the watch costs the start nothing (inotify's set-up is about 2 ms) and
 * misses nothing: whatever changed between the two is found by the check each armed watch makes.
 */
export function coverBaseline(
  locations: readonly { path: string; reason: string; covered: boolean }[],
): CoverBaseline {
  const watched: Watched[] = locations.map((location) => ({
    path: location.path,
    reason: location.reason,
    inode: location.covered ? inodeOf(location.path) : undefined,
  }));
  return { arm: (onChange) => armCovers(watched, onChange) };
}

function armCovers(
  watched: readonly Watched[],
  onChange: (change: CoverChange) => void,
): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  let done = false;
  const close = () => {
    done = true;
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
  const report = (entry: Watched, change: CoverChange['change']) => {
    if (done) return;
    close();
    onChange({ path: entry.path, reason: entry.reason, change });
  };
  const check = (entry: Watched): void => {
    const now = inodeOf(entry.path);
    if (entry.inode !== undefined) {
      if (now !== entry.inode) report(entry, 'replaced');
      else arm(entry);
      return;
    }
    if (now !== undefined) report(entry, 'created');
    else arm(entry);
  };
  const arm = (entry: Watched): void => {
    if (done) return;
    const target =
      entry.inode !== undefined
        ? { folder: dirname(entry.path), next: basename(entry.path) }
        : nearestExisting(entry.path);
    const key = entry.path;
    if (target === undefined || watchers.has(key)) return;
    try {
      const watcher = watch(target.folder, { persistent: false }, (event, name) => {
        // 'rename' is inotify's create, delete and move; 'change' is a write in place.
        if (event !== 'rename' || (name !== null && String(name) !== target.next)) return;
        watcher.close();
        watchers.delete(key);
        check(entry);
      });
      watcher.on('error', () => {
        watchers.delete(key);
      });
      watchers.set(key, watcher);
    } catch {
      // The folder went away meanwhile: what is there now is judged below.
    }
    // The change may have happened before the watch was armed.
    const now = inodeOf(entry.path);
    if (entry.inode === undefined ? now !== undefined : now !== entry.inode) {
      report(entry, entry.inode === undefined ? 'created' : 'replaced');
    }
  };
  for (const entry of watched) arm(entry);
  return { close };
}
