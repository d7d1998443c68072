import { isTerminal } from '../../model/results';
import type { Slots } from './slots';
import type { StepState } from './step-state';

/**
 * Lends a step's concurrency slot back while the step awaits something that is not work of its
 * own: its `ctx.spawn` children, a signal, a durable sleep. So a step awaiting its spawns lets
 * them run even at concurrency 1, and a step waiting for an approval blocks nobody.
 */
export class SlotLender {
  /** Steps that gave their slot back: how many awaits each has open, and whether it held a slot. */
  private awaited: Map<StepState, { count: number; gaveSlot: boolean }> | undefined; // made on first lend: most runs never lend

  constructor(private readonly slots: Slots) {}

  /** Gives `caller`'s slot back while one more await of its own is open (see {@link reclaim}). */
  lend(caller: StepState): void {
    const awaited = (this.awaited ??= new Map());
    let awaiting = awaited.get(caller);
    if (awaiting === undefined) awaited.set(caller, (awaiting = { count: 0, gaveSlot: false }));
    awaiting.count++;
    if (caller.holdsSlot) {
      caller.holdsSlot = false;
      awaiting.gaveSlot = true;
      this.slots.release();
    }
  }

  /**
   * One of `caller`'s awaits is over. Once none is left, it takes a slot again (a promise when it
   * must wait for one): taking it back while a sibling await still needs a slot (a spawn queued
   * behind it) would deadlock.
   */
  reclaim(caller: StepState): Promise<void> | undefined {
    const awaiting = this.awaited?.get(caller);
    if (awaiting === undefined || --awaiting.count > 0) return undefined;
    this.awaited?.delete(caller);
    if (!awaiting.gaveSlot || isTerminal(caller.result.status)) return undefined;
    const wait = this.slots.acquire();
    if (wait === undefined) {
      caller.holdsSlot = true;
      return undefined;
    }
    return wait.then(() => {
      // Ended while waiting (stopped, timed out): the slot is not its to keep.
      if (isTerminal(caller.result.status)) this.slots.release();
      else caller.holdsSlot = true;
    });
  }

  /** Lends `caller`'s slot, calls `start`, awaits `ended` (which must not reject), then reclaims it. */
  async lendWhile(caller: StepState, start: () => void, ended: Promise<unknown>): Promise<void> {
    this.lend(caller);
    start();
    await ended;
    await this.reclaim(caller);
  }
}
