/**
 * The memory store's finished runs, oldest first, for eviction: how many there are, and their ids
 * in the order they finished. Eviction takes ids from the front instead of walking the store's
 * run map, whose iteration steps over every entry deleted since it last compacted itself
 * (≈ `maxRuns` of them on a long-lived engine, at every run's end).
 */
export class FinishedRuns {
  /** Runs that are finished now (what `maxRuns` bounds). */
  private count = 0;
  /** Ids in the order they finished, from `from` on. One may be stale (resumed since, or gone): eviction asks. */
  private order: string[] = [];
  private from = 0;

  /** A run finished (or was recorded finished). */
  finished(runId: string): void {
    this.count++;
    this.order.push(runId);
  }

  /** A finished run runs again (resumed): it no longer counts until it finishes again. */
  resumed(): void {
    this.count--;
  }

  /**
   * Forgets the runs that finished first while more than `max` are finished. `forget(runId)` drops
   * the run if it is finished and there, and says whether it did.
   */
  evict(max: number, forget: (runId: string) => boolean): void {
    const order = this.order;
    while (this.count > max && this.from < order.length) {
      if (forget(order[this.from++] as string)) this.count--;
    }
    // Drop the consumed front now and then, not at every eviction: a copy of ≈ max ids.
    if (this.from > 1024 && this.from * 2 > order.length) {
      this.order = order.slice(this.from);
      this.from = 0;
    }
  }
}
