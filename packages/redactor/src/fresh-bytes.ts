/** Node's `Buffer.allocUnsafeSlow`, where there is one: a fresh array whose bytes are not zeroed first. */
const allocUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow?(size: number): Uint8Array } })
  .Buffer?.allocUnsafeSlow;

/** Below this, zeroing costs less than the call; Node pools smaller `allocUnsafe` buffers, never these. */
const unzeroedFrom = 4096;

/**
 * A new byte array of `size` bytes that owns its whole `ArrayBuffer` (offset 0,
 * no other view's bytes behind it). For large sizes in Node the bytes are not
 * zeroed first: the caller must write every one of them before handing the
 * array out. That saves a 64 KiB memset per output chunk, which copy-through
 * (`Buffer.from(chunk)`) does not pay either.
 */
export function freshBytes(size: number): Uint8Array {
  if (size < unzeroedFrom || allocUnsafeSlow === undefined) return new Uint8Array(size);
  const buffer = allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}
