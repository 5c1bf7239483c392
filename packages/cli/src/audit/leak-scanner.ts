import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Redactor } from '@ironrun/core';

/** One secret `audit` looks for: the reference it came from and its value (kept in memory only). */
export interface AuditSecret {
  readonly ref: string;
  readonly value: string;
  /** Where the policy uses it, as `command.VARIABLE`. */
  readonly usedBy: readonly string[];
}

/**
 * A leak found by {@link LeakScanner}: which file holds which reference's
 * value, in any encoding. Never the value, and nothing about where in the
 * file or in which form: the agent can write the files audit reads, so
 * anything finer than "leaked or not" per file (a line number, an encoding)
 * would tell it which of its guesses was the secret.
 */
export interface LeakFinding {
  readonly file: string;
  readonly ref: string;
  readonly usedBy: readonly string[];
}

type CreateRedactor = (options: { secrets: Iterable<string> }) => Redactor;

/**
 * Finds secret values, and their encoded variants, in text files line by
 * line, with `@ironrun/redactor`'s matcher: one redactor over all secrets
 * finds the lines that leak, then one redactor per secret names which
 * reference leaked. Only files and references leave it, once per file.
 */
export class LeakScanner {
  readonly #all: Redactor;
  readonly #each: { secret: AuditSecret; redactor: Redactor }[];
  /** Bytes read so far. */
  bytes = 0;

  constructor(
    createRedactor: CreateRedactor,
    secrets: readonly { secret: AuditSecret; redactor: Redactor }[],
  ) {
    this.#all = createRedactor({ secrets: secrets.map((entry) => entry.secret.value) });
    this.#each = [...secrets];
  }

  /** The secrets one line holds (their indexes), skipping those already found. */
  #scanLine(line: string, found: Set<number>): void {
    const before = this.#all.stats.total;
    this.#all.redact(line);
    if (this.#all.stats.total === before) return;
    this.#each.forEach(({ redactor }, index) => {
      if (found.has(index)) return;
      const totalBefore = redactor.stats.total;
      redactor.redact(line);
      if (redactor.stats.total !== totalBefore) found.add(index);
    });
  }

  /** Scans one file line by line (any size); returns one finding per secret it holds, in policy order. */
  async scanFile(file: string): Promise<LeakFinding[]> {
    const stream = createReadStream(file, { encoding: 'utf8' });
    stream.on('data', (chunk) => {
      this.bytes += Buffer.byteLength(chunk);
    });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    const found = new Set<number>();
    for await (const line of lines) this.#scanLine(line, found);
    return this.#each
      .filter((_, index) => found.has(index))
      .map(({ secret }) => ({ file, ref: secret.ref, usedBy: secret.usedBy }));
  }
}
