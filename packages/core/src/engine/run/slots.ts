/**
 * A counting gate for steps in flight. Unlike `mergeMap`'s own bound, a slot can be handed
 * back mid-step: a step awaiting `ctx.spawn` releases its slot so the spawned child can run.
 */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.free = limit;
  }

  /** Takes a slot: `undefined` when one was free, else a promise that resolves when one is. */
  acquire(): Promise<void> | undefined {
    if (this.free > 0) {
      this.free--;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands a slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
