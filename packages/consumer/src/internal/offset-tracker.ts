/**
 * Tracks which offsets of a partition's batch are finished, when records finish out of order (key
 * parallelism). `done()` returns the highest offset below which everything is finished, so a commit
 * never skips an unfinished record.
 */
export class OffsetTracker {
  private readonly offsets: string[];
  private readonly finished = new Set<string>();
  private next = 0;

  constructor(offsets: readonly string[]) {
    this.offsets = [...offsets];
  }

  /** Mark `offset` finished; returns the new highest contiguous finished offset, or undefined if it did not move. */
  done(offset: string): string | undefined {
    this.finished.add(offset);
    let moved: string | undefined;
    while (this.next < this.offsets.length && this.finished.has(this.offsets[this.next]!)) {
      moved = this.offsets[this.next]!;
      this.finished.delete(moved);
      this.next += 1;
    }
    return moved;
  }

  /** The first offset not yet finished, or undefined when all are. */
  firstUnfinished(): string | undefined {
    return this.offsets[this.next];
  }
}
