import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const memoryLimit = 256 * 1024;

/** One stream's redacted output: in memory while small, spilled to a file beyond. */
class StreamRecord {
  readonly #path: string;
  readonly #maxBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #file: WriteStream | undefined;
  #opening: Promise<void> | undefined;
  #failed = false;
  #written = 0;
  #dropped = 0;

  constructor(path: string, maxBytes: number) {
    this.#path = path;
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#written + this.#buffered + this.#dropped;
  }

  push(chunk: Uint8Array, ensureDir: () => Promise<void>): void {
    if (this.#failed) return;
    const room = this.#maxBytes - this.#written - this.#buffered;
    if (room <= 0) {
      this.#dropped += chunk.length;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#dropped += chunk.length - kept.length;
    if (this.#file !== undefined) {
      this.#file.write(kept);
      this.#written += kept.length;
      return;
    }
    this.#chunks.push(Uint8Array.from(kept));
    this.#buffered += kept.length;
    if (this.#buffered > memoryLimit && this.#opening === undefined) this.#spill(ensureDir);
  }

  #spill(ensureDir: () => Promise<void>): void {
    // Chunks keep collecting in memory until the folder and file exist.
    this.#opening = ensureDir().then(
      () => {
        const file = createWriteStream(this.#path, { flags: 'wx', mode: 0o600 });
        file.on('error', () => {
          this.#failed = true;
        });
        for (const chunk of this.#chunks) file.write(chunk);
        this.#written += this.#buffered;
        this.#chunks = [];
        this.#buffered = 0;
        this.#file = file;
      },
      () => {
        this.#failed = true;
        this.#chunks = [];
      },
    );
  }

  async save(): Promise<boolean> {
    await this.#opening;
    if (this.#failed) return false;
    const note = this.#dropped > 0 ? `\n[ironrun: ${this.#dropped} more bytes not saved]\n` : '';
    if (this.#file === undefined) {
      if (this.#buffered === 0) return false;
      await writeFile(this.#path, Buffer.concat([...this.#chunks, Buffer.from(note)]), {
        flag: 'wx',
        mode: 0o600,
      });
      this.#chunks = [];
      return true;
    }
    const file = this.#file;
    await new Promise<void>((resolve, reject) => {
      file.once('error', reject);
      file.end(note, () => resolve());
    });
    return !this.#failed;
  }

  async discard(): Promise<void> {
    await this.#opening;
    this.#chunks = [];
    if (this.#file === undefined) return;
    const file = this.#file;
    await new Promise<void>((resolve) => {
      file.once('error', () => resolve());
      file.end(() => resolve());
    });
    await rm(this.#path, { force: true });
  }
}

/** Options of {@link FullOutputRecorder}. */
export interface FullOutputRecorderOptions {
  /** The folder holding one sub-folder per saved run. */
  runsDir: string;
  /** A name for this run's folder (the command id; sanitized). */
  label: string;
  /** Bytes saved per stream at most; the rest is counted. */
  maxBytes: number;
  /** Saved runs kept; older folders are removed. */
  keep: number;
}

/**
 * Records a run's full redacted output so that, when the agent's copy was
 * cut, the whole of it can be read from a file (0600, in a 0700 folder
 * under the user's state directory). A run whose output was not cut leaves
 * nothing on disk.
 */
export class FullOutputRecorder {
  readonly #options: FullOutputRecorderOptions;
  readonly #dir: string;
  readonly #stdout: StreamRecord;
  readonly #stderr: StreamRecord;
  #dirReady: Promise<void> | undefined;

  constructor(options: FullOutputRecorderOptions) {
    this.#options = options;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const label = options.label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
    const random = Math.random().toString(36).slice(2, 8);
    this.#dir = join(options.runsDir, `${stamp}-${label}-${random}`);
    this.#stdout = new StreamRecord(join(this.#dir, 'stdout.log'), options.maxBytes);
    this.#stderr = new StreamRecord(join(this.#dir, 'stderr.log'), options.maxBytes);
  }

  #ensureDir = (): Promise<void> => {
    this.#dirReady ??= (async () => {
      await mkdir(this.#options.runsDir, { recursive: true, mode: 0o700 });
      await mkdir(this.#dir, { mode: 0o700 });
    })();
    return this.#dirReady;
  };

  /** Records a redacted stdout chunk. */
  stdout(chunk: Uint8Array): void {
    this.#stdout.push(chunk, this.#ensureDir);
  }

  /** Records a redacted stderr chunk. */
  stderr(chunk: Uint8Array): void {
    this.#stderr.push(chunk, this.#ensureDir);
  }

  /** Writes what was recorded and returns the run's folder, or undefined if nothing could be saved. */
  async save(): Promise<string | undefined> {
    try {
      await this.#ensureDir();
      const saved = [await this.#stdout.save(), await this.#stderr.save()];
      await this.#prune();
      return saved.includes(true) ? this.#dir : undefined;
    } catch {
      // Saving is a convenience; a full disk must not fail the run.
      return undefined;
    }
  }

  /** Forgets what was recorded and removes anything spilled to disk. */
  async discard(): Promise<void> {
    try {
      await this.#stdout.discard();
      await this.#stderr.discard();
      if (this.#dirReady !== undefined) await rm(this.#dir, { recursive: true, force: true });
    } catch {
      // Nothing useful to do about a failed cleanup of redacted output.
    }
  }

  async #prune(): Promise<void> {
    const names = (await readdir(this.#options.runsDir)).sort();
    const stale = names.slice(0, Math.max(0, names.length - this.#options.keep));
    await Promise.all(
      stale.map((name) => rm(join(this.#options.runsDir, name), { recursive: true, force: true })),
    );
  }
}
