import { Readable } from 'node:stream';

/**
 * One output stream of the child, capped: the first `maxBytes` bytes are
 * kept for the reader, the rest are counted and dropped. The child's pipe
 * is always drained, so a flood never blocks the child nor grows memory
 * beyond the cap.
 */
export class CappedOutput {
  /** The stream handed to the caller. */
  readonly readable = new Readable({ read() {} });
  /** Every byte the child wrote, kept or not. */
  totalBytes = 0;
  private keptBytes = 0;
  private ended = false;

  constructor(private readonly maxBytes: number) {}

  /** Whether bytes were dropped. */
  get truncated(): boolean {
    return this.totalBytes > this.keptBytes;
  }

  push(chunk: Buffer): void {
    if (this.ended) return;
    this.totalBytes += chunk.length;
    const room = this.maxBytes - this.keptBytes;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.keptBytes += kept.length;
    this.readable.push(kept);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.readable.push(null);
  }
}
