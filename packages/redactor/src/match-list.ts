/**
 * A growable list of matches (absolute start, end, kind index) kept in typed
 * arrays, reused from chunk to chunk: a chunk full of matches (a secret
 * printed over and over) must not turn into millions of small allocations.
 */
export class MatchList {
  starts = new Float64Array(64);
  ends = new Float64Array(64);
  kinds = new Uint8Array(64);
  count = 0;

  add(start: number, end: number, kind: number): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.kinds[this.count] = kind;
    this.count++;
  }

  /** Appends all of `other`'s matches. */
  append(other: MatchList): void {
    const count = other.count;
    // Usually empty or a few (a search over a stretch with few matches): a loop then, as the
    // three views `set` needs would be garbage at every chunk.
    if (count === 0) return;
    while (this.starts.length < this.count + count) this.grow();
    if (count <= 32) {
      for (let k = 0; k < count; k++) {
        this.starts[this.count + k] = other.starts[k]!;
        this.ends[this.count + k] = other.ends[k]!;
        this.kinds[this.count + k] = other.kinds[k]!;
      }
    } else {
      this.starts.set(other.starts.subarray(0, count), this.count);
      this.ends.set(other.ends.subarray(0, count), this.count);
      this.kinds.set(other.kinds.subarray(0, count), this.count);
    }
    this.count += count;
  }

  /** Scratch for {@link mergeByEnd}, whose arrays trade places with this list's. */
  private spare: MatchList | undefined;

  /** Merges in `other`'s matches; both lists are in order of end, and so is the result. */
  mergeByEnd(other: MatchList): void {
    this.spare ??= new MatchList();
    const merged = this.spare;
    merged.clear();
    let a = 0;
    let b = 0;
    while (a < this.count || b < other.count) {
      const fromThis = b >= other.count || (a < this.count && this.ends[a]! <= other.ends[b]!);
      if (fromThis) {
        merged.add(this.starts[a]!, this.ends[a]!, this.kinds[a]!);
        a++;
      } else {
        merged.add(other.starts[b]!, other.ends[b]!, other.kinds[b]!);
        b++;
      }
    }
    const { starts, ends, kinds } = this;
    this.starts = merged.starts;
    this.ends = merged.ends;
    this.kinds = merged.kinds;
    this.count = merged.count;
    merged.starts = starts;
    merged.ends = ends;
    merged.kinds = kinds;
    merged.clear();
  }

  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Float64Array(size);
    const ends = new Float64Array(size);
    const kinds = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    kinds.set(this.kinds);
    this.starts = starts;
    this.ends = ends;
    this.kinds = kinds;
  }
}
