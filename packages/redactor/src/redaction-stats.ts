import type { VariantKind } from './variant-kind.js';
import { variantKinds } from './variant-kind.js';

/**
 * How many replacements were made, and in which form the secret was found.
 * Never which secret.
 */
export interface RedactionStats {
  /** Number of replacements. Overlapping matches count once. */
  readonly total: number;
  /** Replacements by the form of the longest match they covered. */
  readonly byKind: Readonly<Record<VariantKind, number>>;
}

/** A running count of replacements, by kind index. */
export class RedactionCounter {
  private readonly counts = new Array<number>(variantKinds.length).fill(0);
  private readonly parent: RedactionCounter | undefined;

  constructor(parent?: RedactionCounter) {
    this.parent = parent;
  }

  add(kind: number): void {
    this.counts[kind]!++;
    this.parent?.add(kind);
  }

  snapshot(): RedactionStats {
    const byKind = {} as Record<VariantKind, number>;
    let total = 0;
    variantKinds.forEach((kind, index) => {
      byKind[kind] = this.counts[index]!;
      total += this.counts[index]!;
    });
    return { total, byKind };
  }
}
