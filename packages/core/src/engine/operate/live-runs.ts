import type { RunHandle } from '../run-handle';
import type { LeaseHolder, RunStore } from '../../ports/run-store';

/** A run whose steps may wait for signals: what the poll and `engine.signal` reach. */
export interface SignalTarget {
  /** Whether a step waits for a signal now. */
  readonly waitingForSignals: boolean;
  /** Lets the waiting steps look for their signals in the store. */
  wakeSignals(): void;
  /** Events published on `events$` so far: how much of the journal's latest incarnation a late watcher replays. */
  readonly published: number;
}

/** A run this engine drives, with what `watch()` needs to replay it. */
export interface LiveRun {
  readonly handle: RunHandle & Partial<SignalTarget>;
  /** Set once a stop request from the store was passed on. */
  stopRequested: boolean;
}

/**
 * The runs an engine drives, and the one timer that keeps them: it renews their leases
 * (every third of the TTL) and, with a durable store, picks up stop requests that other
 * processes recorded (`engine.stopRun`) and signals for its waiting steps (`engine.signal`)
 * every `pollMs`.
 */
export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();
  private timer: NodeJS.Timeout | undefined;
  private lastRenewal = 0;
  private polling = false;

  constructor(
    private readonly store: RunStore,
    private readonly holder: LeaseHolder,
    private readonly leaseTtlMs: number,
    private readonly pollMs: number,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  get(runId: string): LiveRun | undefined {
    return this.runs.get(runId);
  }

  handles(): RunHandle[] {
    return [...this.runs.values()].map((live) => live.handle);
  }

  /** Tracks a run from its start (same tick, so the count sees `run.started`) until its last event. */
  add(handle: RunHandle & Partial<SignalTarget>): void {
    this.runs.set(handle.id, { handle, stopRequested: false });
    if (this.store.durable) this.keep();
  }

  delete(runId: string): void {
    this.runs.delete(runId);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private keep(): void {
    if (this.timer) return;
    const renewEvery = Math.max(10, Math.floor(this.leaseTtlMs / 3));
    const tick = Math.max(10, Math.min(renewEvery, this.pollMs));
    this.lastRenewal = Date.now();
    this.timer = setInterval(() => {
      if (this.runs.size === 0) return this.close();
      if (Date.now() - this.lastRenewal >= renewEvery - tick / 2) {
        this.lastRenewal = Date.now();
        // A renewal that fails is retried on the next tick; the lease outlives two missed ones.
        for (const runId of this.runs.keys()) void Promise.resolve(this.store.acquireLease(runId, this.holder, this.leaseTtlMs)).catch(() => undefined);
      }
      void this.pollStops();
      // Signals another process recorded: each waiting run reads its own (one read per waiting step).
      for (const live of this.runs.values()) if (live.handle.waitingForSignals === true) live.handle.wakeSignals?.();
    }, tick);
    this.timer.unref();
  }

  /** Stops every run of ours that another process asked to stop. One poll at a time. */
  private async pollStops(): Promise<void> {
    const read = this.store.readStopRequest?.bind(this.store);
    if (read === undefined || this.polling) return;
    this.polling = true;
    try {
      for (const [runId, live] of this.runs) {
        if (live.stopRequested) continue;
        const request = await read(runId);
        if (request === undefined) continue;
        live.stopRequested = true;
        void live.handle.stop(request.reason);
      }
    } catch {
      // A store that cannot be read now is read again on the next tick; the run goes on meanwhile.
    } finally {
      this.polling = false;
    }
  }
}
