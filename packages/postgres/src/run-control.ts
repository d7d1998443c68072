import type { Pool } from 'pg';
import type { JournalEntry, Lease, LeaseHolder, PipelineEvent, StopRequest } from '@pipewright/core';

interface LeaseRow {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly expires_at: string | number;
}

const leaseFromRow = (row: LeaseRow): Lease => ({ owner: row.owner, host: row.host, pid: row.pid, expiresAt: Number(row.expires_at) });

/**
 * Leases, the journal read from a position, and stop requests: what operating runs from several
 * controller processes needs. Each is one statement, atomic on its own.
 */
export class RunControl {
  private readonly takeLease: string;
  private readonly selectLease: string;
  private readonly dropLease: string;
  private readonly selectEvents: string;
  private readonly upsertStop: string;
  private readonly selectStop: string;

  constructor(
    private readonly pool: Pool,
    s: string,
  ) {
    // The conflicting row is locked while the WHERE is checked: of two controllers asking at once, one
    // waits for the other's insert and then sees its lease. Without a row back, the lease is someone else's.
    this.takeLease = `INSERT INTO ${s}.leases (run_id, owner, host, pid, expires_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid, expires_at = excluded.expires_at
      WHERE leases.owner = excluded.owner OR leases.expires_at <= $6 OR leases.owner = $7
      RETURNING owner, host, pid, expires_at`;
    this.selectLease = `SELECT owner, host, pid, expires_at FROM ${s}.leases WHERE run_id = $1`;
    this.dropLease = `DELETE FROM ${s}.leases WHERE run_id = $1 AND owner = $2`;
    this.selectEvents = `SELECT seq, body FROM ${s}.events WHERE run_id = $1 AND seq > $2 ORDER BY seq`;
    this.upsertStop = `INSERT INTO ${s}.stop_requests (run_id, reason, requested_at)
      SELECT $1::text, $2::text, $3::bigint WHERE EXISTS (SELECT 1 FROM ${s}.runs WHERE run_id = $1 AND status = 'running')
      ON CONFLICT (run_id) DO UPDATE SET reason = excluded.reason, requested_at = excluded.requested_at`;
    this.selectStop = `SELECT reason, requested_at FROM ${s}.stop_requests WHERE run_id = $1`;
  }

  /**
   * Takes or renews the lease; returns the lease that holds the run after the call. Expiry is
   * measured on the callers' clocks (`Date.now()`), as `engine.recover()` judges it.
   */
  async acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver: string | undefined): Promise<Lease> {
    for (;;) {
      const now = Date.now();
      const taken = await this.pool.query<LeaseRow>(this.takeLease, [runId, holder.owner, holder.host, holder.pid, now + ttlMs, now, takeOver ?? null]);
      if (taken.rows[0] !== undefined) return leaseFromRow(taken.rows[0]);
      const held = await this.pool.query<LeaseRow>(this.selectLease, [runId]);
      // Released between the two statements: ask again.
      if (held.rows[0] !== undefined) return leaseFromRow(held.rows[0]);
    }
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    await this.pool.query(this.dropLease, [runId, owner]);
  }

  async readLease(runId: string): Promise<Lease | undefined> {
    const { rows } = await this.pool.query<LeaseRow>(this.selectLease, [runId]);
    return rows[0] && leaseFromRow(rows[0]);
  }

  async readEvents(runId: string, afterSeq: number): Promise<JournalEntry[]> {
    const { rows } = await this.pool.query<{ seq: number; body: string }>(this.selectEvents, [runId, afterSeq]);
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as PipelineEvent }));
  }

  /** Records the request only while the run is `running`: a finished run has nothing to stop. */
  async requestStop(runId: string, request: StopRequest): Promise<void> {
    await this.pool.query(this.upsertStop, [runId, request.reason, request.requestedAt]);
  }

  async readStopRequest(runId: string): Promise<StopRequest | undefined> {
    const { rows } = await this.pool.query<{ reason: string; requested_at: string }>(this.selectStop, [runId]);
    return rows[0] && { reason: rows[0].reason, requestedAt: Number(rows[0].requested_at) };
  }
}
