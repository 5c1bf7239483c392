const unitBytes = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

/** The shape of a `limits:` size written as text: a whole number and `B`, `KiB`, `MiB` or `GiB`. */
export const limitSizePattern = /^(\d{1,13})\s?(B|KiB|MiB|GiB)$/;

/**
 * The bytes of a `limits:` size (`memory`, `file_size`): a whole number of
 * bytes, or text such as `512MiB` or `2GiB`. The schema has checked the shape.
 */
export function parseLimitSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = limitSizePattern.exec(value);
  if (match === null) return Number.NaN;
  return Number(match[1]) * unitBytes[match[2] as keyof typeof unitBytes];
}
