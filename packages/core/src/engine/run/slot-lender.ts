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
  private readonly awaited = new Map<StepState, { count: number; gaveSlot: boolean }>();

  constructor(private readonly slots: Slots) {}

  /**
   * Gives `caller`'s slot back, calls `start`, awaits `ended` (which must not reject), then takes
   * a slot again, only once none of the caller's awaits is left: taking it back while a sibling
   * await still needs a slot (a spawn queued behind it) would deadlock.
   */
  async lendWhile(caller: StepState, start: () => void, ended: Promise<unknown>): Promise<void> {
    const awaiting = this.awaited.get(caller) ?? { count: 0, gaveSlot: false };
    this.awaited.set(caller, awaiting);
    awaiting.count++;
    if (caller.holdsSlot) {
      caller.holdsSlot = false;
      awaiting.gaveSlot = true;
      this.slots.release();
    }
    start();
    await ended;
    if (--awaiting.count > 0) return;
    this.awaited.delete(caller);
    if (!awaiting.gaveSlot || isTerminal(caller.result.status)) return;
    const wait = this.slots.acquire();
    if (wait) await wait;
    // Ended while waiting (stopped, timed out): the slot is not its to keep.
    if (isTerminal(caller.result.status)) this.slots.release();
    else caller.holdsSlot = true;
  }
}
