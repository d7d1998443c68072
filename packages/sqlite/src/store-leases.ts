import type { Lease, LeaseHolder } from '@pipewright/core';
import { SqliteStoreError } from './errors';
import type { PendingWrites, Write } from './pending-writes';
import type { LeaseParams, RunControl } from './run-control';

/**
 * The leases this store takes and gives back, at no transaction of their own on a run's usual
 * path. A lease newly taken is held in an open write transaction ({@link PendingWrites.hold}):
 * the engine takes it and stages the run's record in one synchronous turn, then commits, so the
 * lease and the record are one commit, and no process sees one without the other. A lease this
 * store holds is given back by the commit of the run's end (`endRun` stages it), so it is free
 * by the time anyone hears that the run ended, and `releaseLease` then has nothing left to do.
 */
export class StoreLeases {
  /** Leases this store took and has not given back: run → owner. */
  private readonly taken = new Map<string, string>();
  /** Runs whose lease is given back with their end (staged, or committed): run → owner. */
  private readonly withEnd = new Map<string, string>();

  constructor(
    private readonly control: RunControl,
    private readonly writes: PendingWrites,
    private readonly path: string,
  ) {}

  /** Takes or renews the run's lease; returns the lease that holds the run after the call. */
  acquire(runId: string, holder: LeaseHolder, ttlMs: number, takeOver: string | undefined): Lease {
    if (this.withEnd.delete(runId)) {
      // Its release is staged with its end: committed first, so a run taken again keeps its new lease.
      this.taken.delete(runId);
      this.writes.settle();
    }
    const params = this.control.leaseParams(runId, holder, ttlMs, takeOver);
    // A renewal commits at once; a lease newly taken waits for the run's first commit.
    const renewal = this.taken.get(runId) === holder.owner;
    const lease = this.writes.hold(
      runId,
      () => this.control.take(params),
      (after) => (after.owner === holder.owner && !renewal ? this.takeAgain(params) : undefined),
    );
    if (lease.owner === holder.owner) this.taken.set(runId, holder.owner);
    return lease;
  }

  /** Stages the release of the run's lease, if this store holds it, with the run's end: one commit for both. */
  releaseWithEnd(runId: string): void {
    const owner = this.taken.get(runId);
    if (owner === undefined || this.writes.fenced(runId)) return;
    this.writes.defer(this.control.dropLease, [runId, owner], runId);
    this.withEnd.set(runId, owner);
  }

  /** Gives the lease back, unless the commit of the run's end did. */
  release(runId: string, owner: string): void {
    if (this.taken.get(runId) === owner) this.taken.delete(runId);
    const withEnd = this.withEnd.get(runId) === owner && this.withEnd.delete(runId);
    // A run whose end failed to commit is fenced: its lease is still there.
    if (withEnd && !this.writes.fenced(runId)) {
      // The engine releases after the end's commit; anyone else gets it committed now.
      if (this.writes.carries(runId)) this.writes.commit(runId);
      return;
    }
    // No run's write: a run fenced by a failed commit still gives its lease back.
    this.writes.defer(this.control.dropLease, [runId, owner], undefined);
    this.writes.commit();
  }

  /** The take once more, in a commit retried run by run: it must still get the lease. */
  private takeAgain(params: LeaseParams): Write {
    return {
      run: () => {
        if (this.control.retake(params)) return;
        throw new SqliteStoreError('LEASE_LOST', `Another process took the lease of run '${params.runId}' before this one's could be committed.`, {
          path: this.path,
        });
      },
    };
  }
}
