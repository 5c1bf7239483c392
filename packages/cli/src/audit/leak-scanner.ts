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

/** A leak found by {@link LeakScanner}: where, and which reference. Never the value. */
export interface LeakFinding {
  readonly file: string;
  readonly line: number;
  readonly ref: string;
  readonly usedBy: readonly string[];
  /** How it appeared: `raw`, `base64`, `json`, ... */
  readonly kinds: readonly string[];
}

type CreateRedactor = (options: { secrets: Iterable<string> }) => Redactor;

function kindsSeen(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after).filter((kind) => (after[kind] ?? 0) > (before[kind] ?? 0));
}

/**
 * Finds secret values, and their encoded variants, in text files line by
 * line, with `@ironrun/redactor`'s matcher: one redactor over all secrets
 * finds the lines that leak, then one redactor per secret names which
 * reference leaked. Only references, files and line numbers leave it.
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

  /** The findings of one line (line numbers are 1-based). */
  scanLine(file: string, lineNumber: number, line: string): LeakFinding[] {
    const before = this.#all.stats.total;
    this.#all.redact(line);
    if (this.#all.stats.total === before) return [];
    const findings: LeakFinding[] = [];
    for (const { secret, redactor } of this.#each) {
      const kindsBefore = { ...redactor.stats.byKind };
      const totalBefore = redactor.stats.total;
      redactor.redact(line);
      if (redactor.stats.total === totalBefore) continue;
      findings.push({
        file,
        line: lineNumber,
        ref: secret.ref,
        usedBy: secret.usedBy,
        kinds: kindsSeen(kindsBefore, { ...redactor.stats.byKind }),
      });
    }
    return findings;
  }

  /** Scans one file line by line (any size), calling `onFinding` for each leak. */
  async scanFile(file: string, onFinding: (finding: LeakFinding) => void): Promise<void> {
    const stream = createReadStream(file, { encoding: 'utf8' });
    stream.on('data', (chunk) => {
      this.bytes += Buffer.byteLength(chunk);
    });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let number = 0;
    for await (const line of lines) {
      number++;
      for (const finding of this.scanLine(file, number, line)) onFinding(finding);
    }
  }
}
