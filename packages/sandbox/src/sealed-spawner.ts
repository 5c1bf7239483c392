import { nativeInitPath } from './native-init.js';
import type { SealedProcess, SpawnSealedOptions } from './spawn-sealed.js';
import { spawnSealedWith } from './spawn-sealed.js';
import { SpawnerProcess } from './spawner-process.js';

/** Options of {@link createSealedSpawner}. */
export interface SealedSpawnerOptions {
  /**
   * The native init to start in spawner mode, or `null` for none (every run
   * is then spawned as {@link spawnSealed} does).
   * @default the installed `@ironrun/sandbox-linux-<arch>` init
   */
  nativeInit?: string | null;
}

/**
 * A sealed spawner: {@link spawnSealed} for a long-lived process. Lifecycle:
 * the native init's server mode is started on the first `spawn` that needs
 * it and stays up until `close()`; `spawn` may be called any number of
 * times, concurrently, until then.
 */
export interface SealedSpawner {
  /**
   * Spawns one sealed process with the same options, guarantees and result
   * as {@link spawnSealed}. A run through the native init is forked by the
   * spawner (fresh namespaces, rlimits, seccomp, Landlock and verified exec
   * per run, as `spawnSealed` has them); any other launch, and every launch
   * after the spawner ended, is spawned as `spawnSealed` does. A run the
   * spawner was holding when it ended is killed, and its `result` rejects
   * with `SPAWN_FAILED`.
   */
  spawn(options: SpawnSealedOptions): Promise<SealedProcess>;
  /** Stops the spawner; runs it started that are still going are killed. Later `spawn` calls spawn directly. */
  close(): Promise<void>;
}

/**
 * Starts a {@link SealedSpawner}. Forking this process for every run copies
 * its page tables (tens of MB for an MCP server): the spawner is a small
 * native process started once, which forks each run from itself instead.
 * On a platform without the native init it spawns as `spawnSealed` does.
 *
 * @example
 * const spawner = createSealedSpawner();
 * const child = await spawner.spawn({ argv: ['/bin/true'], cwd: projectDir, ttlMs: 10_000 });
 * await child.result;
 * await spawner.close();
 */
export function createSealedSpawner(options: SealedSpawnerOptions = {}): SealedSpawner {
  let running: SpawnerProcess | undefined;
  let closed = false;
  const init = options.nativeInit !== undefined ? options.nativeInit : nativeInitPath();
  // Started by the first launch through the native init, not before.
  const current = (): SpawnerProcess | undefined => {
    if (closed || init === null) return undefined;
    running ??= new SpawnerProcess(init);
    return running;
  };
  const overrides = options.nativeInit === undefined ? {} : { nativeInit: options.nativeInit };
  return {
    spawn: (spawnOptions) => spawnSealedWith(spawnOptions, overrides, current),
    close: async () => {
      closed = true;
      await running?.close();
    },
  };
}
