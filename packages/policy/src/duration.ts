/** The longest `ttl` a policy may declare: 24 hours. */
export const maxDurationMs = 24 * 60 * 60 * 1000;

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** The shape a duration must have: whole number and unit, e.g. `500ms`, `30s`, `5m`, `1h`. */
export const durationPattern = /^(\d{1,9})(ms|s|m|h)$/;

/** A parsed duration, or why the text is not one. */
export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Parses a duration such as `500ms`, `30s`, `5m` or `1h` into milliseconds.
 * Rejects zero and anything above 24 hours.
 */
export function parseDuration(text: string): DurationResult {
  const match = durationPattern.exec(text);
  if (match === null) {
    return {
      ok: false,
      reason: 'expected a duration: a whole number and a unit (ms, s, m or h), e.g. 500ms, 30s, 5m',
    };
  }
  const ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  if (ms === 0) return { ok: false, reason: 'must be longer than 0' };
  if (ms > maxDurationMs) return { ok: false, reason: 'must be at most 24h' };
  return { ok: true, ms };
}
