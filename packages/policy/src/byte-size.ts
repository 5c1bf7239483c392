/** The smallest `max_output`: 256 bytes. */
export const minByteSize = 256;
/** The largest `max_output`: 8 MiB. */
export const maxByteSize = 8 * 1024 * 1024;

const unitBytes = { B: 1, KiB: 1024, MiB: 1024 * 1024 } as const;

/** The shape of a size written as text: a whole number and `B`, `KiB` or `MiB`. */
export const byteSizePattern = /^(\d{1,10})\s?(B|KiB|MiB)$/;

/** A parsed size, or why the value is not one. */
export type ByteSizeResult = { ok: true; bytes: number } | { ok: false; reason: string };

/**
 * Parses a size given as a number of bytes (`16384`) or as text (`16KiB`,
 * `1MiB`, `512B`). Decimal units (`KB`, `MB`) are refused as ambiguous.
 */
export function parseByteSize(value: number | string): ByteSizeResult {
  let bytes: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      return { ok: false, reason: 'expected a whole number of bytes' };
    bytes = value;
  } else {
    const match = byteSizePattern.exec(value);
    if (match === null) {
      return {
        ok: false,
        reason: /^\d+\s?(k|kb|m|mb)$/i.test(value)
          ? 'use binary units: B, KiB or MiB (e.g. 16KiB)'
          : 'expected a number of bytes or a size such as 16KiB or 1MiB',
      };
    }
    bytes = Number(match[1]) * unitBytes[match[2] as keyof typeof unitBytes];
  }
  if (bytes < minByteSize) return { ok: false, reason: 'must be at least 256 bytes' };
  if (bytes > maxByteSize) return { ok: false, reason: 'must be at most 8MiB' };
  return { ok: true, bytes };
}
