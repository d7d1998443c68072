import type Database from 'better-sqlite3';
import type { Lease, LeaseHolder, StopRequest } from '@pipewright/core';

type Statement = Database.Statement<unknown[]>;

interface LeaseRow {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly expires_at: number;
}

const leaseFromRow = (row: LeaseRow): Lease => ({ owner: row.owner, host: row.host, pid: row.pid, expiresAt: row.expires_at });

/** The parameters of a lease's take: who asks, until when, and whose lease it may take over. */
export interface LeaseParams {
  readonly runId: string;
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly expiresAt: number;
  readonly now: number;
  readonly takeOver: string | null;
}

/**
 * What operating runs from several processes needs of the file: leases that record their
 * holder, and stop requests. Prepared once per store; leases are taken and given back through
 * `StoreLeases`, in the store's write transactions.
 */
export class RunControl {
  private readonly takeLease: Statement;
  private readonly selectLease: Statement;
  /** Deletes a lease if its owner holds it (bound: run id, owner); staged with the store's writes. */
  readonly dropLease: Statement;
  private readonly upsertStop: Statement;
  private readonly selectStop: Statement;
  /** Deletes a run's stop request (bound: run id); deferred with the write that ends the run. */
  readonly clearStop: Statement;

  constructor(db: Database.Database) {
    // One statement, so the check and the take are atomic even without the transaction around it.
    this.takeLease = db.prepare(
      `INSERT INTO leases (run_id, owner, host, pid, expires_at) VALUES (@runId, @owner, @host, @pid, @expiresAt)
       ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at <= @now OR leases.owner = @takeOver`,
    );
    this.selectLease = db.prepare('SELECT owner, host, pid, expires_at FROM leases WHERE run_id = ?');
    this.dropLease = db.prepare('DELETE FROM leases WHERE run_id = ? AND owner = ?');
    this.upsertStop = db.prepare(
      `INSERT INTO stop_requests (run_id, reason, requested_at) SELECT @runId, @reason, @requestedAt
       WHERE EXISTS (SELECT 1 FROM runs WHERE run_id = @runId AND status = 'running')
       ON CONFLICT (run_id) DO UPDATE SET reason = excluded.reason, requested_at = excluded.requested_at`,
    );
    this.selectStop = db.prepare('SELECT reason, requested_at FROM stop_requests WHERE run_id = ?');
    this.clearStop = db.prepare('DELETE FROM stop_requests WHERE run_id = ?');
  }

  /** What {@link RunControl.take} binds: `holder` asks for the run's lease for `ttlMs` from now. */
  leaseParams(runId: string, holder: LeaseHolder, ttlMs: number, takeOver: string | undefined): LeaseParams {
    const now = Date.now();
    return { runId, owner: holder.owner, host: holder.host, pid: holder.pid, expiresAt: now + ttlMs, now, takeOver: takeOver ?? null };
  }

  /**
   * Takes or renews the lease, in one atomic statement; returns the lease that holds the run
   * after it. Run it in an immediate transaction: of two processes asking at once, one waits for
   * the other's commit and then sees its lease.
   */
  take(params: LeaseParams): Lease {
    if (this.retake(params)) return { owner: params.owner, host: params.host, pid: params.pid, expiresAt: params.expiresAt };
    return leaseFromRow(this.selectLease.get(params.runId) as LeaseRow);
  }

  /** The take's statement alone: `true` when the lease is `params.owner`'s after it. */
  retake(params: LeaseParams): boolean {
    return this.takeLease.run(params).changes === 1;
  }

  readLease(runId: string): Lease | undefined {
    const row = this.selectLease.get(runId) as LeaseRow | undefined;
    return row && leaseFromRow(row);
  }

  /** Records the request only while the run is `running`: a finished run has nothing to stop. */
  requestStop(runId: string, request: StopRequest): void {
    this.upsertStop.run({ runId, reason: request.reason, requestedAt: request.requestedAt });
  }

  readStopRequest(runId: string): StopRequest | undefined {
    const row = this.selectStop.get(runId) as { reason: string; requested_at: number } | undefined;
    return row && { reason: row.reason, requestedAt: row.requested_at };
  }
}
