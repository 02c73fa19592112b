/**
 * Which (id, timestamp) pairs a poller has already reported, for one collection. Each poll asks
 * for records stamped since `since()`: the newest stamp seen minus a lookback, so a write that
 * becomes visible late (a slow commit, a writer whose clock is a little behind) is still found.
 * Re-reading the lookback is cheap for configuration-sized collections, and the pairs seen
 * inside it are remembered so nothing is reported twice.
 */
export class SeenWindow {
  private high: number;
  private readonly seen = new Map<string, number>();

  constructor(
    start: number,
    private readonly lookbackMs: number,
  ) {
    this.high = start;
  }

  since(): Date {
    return new Date(this.high - this.lookbackMs);
  }

  /** True the first time this version of the record is seen. */
  add(id: string, at: Date): boolean {
    const t = at.getTime();
    const key = `${id}@${t}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, t);
    if (t > this.high) this.high = t;
    return true;
  }

  /** Forgets pairs older than the window: they can no longer come back from a query. */
  prune(): void {
    const floor = this.high - this.lookbackMs;
    for (const [key, t] of this.seen) if (t < floor) this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
