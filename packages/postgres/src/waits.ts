import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ScheduleRecord, SignalRecord, StepWait, StoredSchedule, WaitRecord } from '@pipewright/core';

interface ScheduleRow {
  readonly id: string;
  readonly pipeline: string;
  readonly version: string;
  readonly cron: string;
  readonly timezone: string | null;
  readonly params: string;
  readonly created_at: string | number;
  readonly seen_at: string | number;
  readonly last_tick_at?: string | number | null;
  readonly last_run_id?: string | null;
}

const SCHEDULE_COLUMNS = 'id, pipeline, version, cron, timezone, params, created_at, seen_at';

const scheduleFromRow = (row: ScheduleRow): ScheduleRecord => ({
  id: row.id,
  pipeline: row.pipeline,
  version: row.version,
  cron: row.cron,
  timezone: row.timezone ?? undefined,
  params: JSON.parse(row.params) as Record<string, unknown>,
  createdAt: Number(row.created_at),
  seenAt: Number(row.seen_at),
});

/**
 * Signals, step waits and schedules (schema version 2). Signals, schedules and tick claims are
 * written at once, each one statement that may be sent again over a fresh connection (they come
 * from other controllers, or must be exclusive now); a step's wait record and the signal it
 * consumes are staged by the store and go into its one-statement commit.
 */
export class PostgresWaits {
  private readonly insertSignal: string;
  private readonly selectSignal: string;
  private readonly selectWaits: string;
  private readonly upsertSchedule: string;
  private readonly selectSchedules: string;
  private readonly insertTick: string;
  private readonly selectTick: string;

  constructor(
    private readonly pool: Pool,
    s: string,
  ) {
    this.insertSignal = `INSERT INTO ${s}.signals (token, run_id, name, payload, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token) DO NOTHING`;
    this.selectSignal = `SELECT id, name, payload, sent_at FROM ${s}.signals WHERE run_id = $1 AND name = $2 ORDER BY id LIMIT 1`;
    this.selectWaits = `SELECT seq, record FROM ${s}.step_waits WHERE run_id = $1 AND step = $2 ORDER BY seq`;
    this.upsertSchedule = `INSERT INTO ${s}.schedules (${SCHEDULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (id) DO UPDATE SET pipeline = excluded.pipeline, version = excluded.version, cron = excluded.cron,
        timezone = excluded.timezone, params = excluded.params, seen_at = excluded.seen_at
      RETURNING ${SCHEDULE_COLUMNS}`;
    // COLLATE "C": ids in code-point order, as the memory and SQLite stores list them.
    this.selectSchedules = `SELECT s.*, t.tick_at AS last_tick_at, t.run_id AS last_run_id FROM ${s}.schedules s
      LEFT JOIN LATERAL (SELECT tick_at, run_id FROM ${s}.schedule_ticks WHERE schedule_id = s.id ORDER BY tick_at DESC LIMIT 1) t ON true
      ORDER BY s.id COLLATE "C"`;
    this.insertTick = `INSERT INTO ${s}.schedule_ticks (schedule_id, tick_at, owner, run_id, claimed_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING RETURNING run_id`;
    this.selectTick = `SELECT run_id FROM ${s}.schedule_ticks WHERE schedule_id = $1 AND tick_at = $2`;
  }

  /** A token for one `sendSignal` call: its retries carry the same one. */
  newToken(): string {
    return randomUUID();
  }

  async sendSignal(token: string, runId: string, name: string, payload: unknown, sentAt: number): Promise<void> {
    await this.pool.query(this.insertSignal, [token, runId, name, JSON.stringify(payload), sentAt]);
  }

  async readSignal(runId: string, name: string): Promise<SignalRecord | undefined> {
    const { rows } = await this.pool.query<{ id: string; name: string; payload: string; sent_at: string }>(this.selectSignal, [runId, name]);
    const row = rows[0];
    return row && { id: Number(row.id), name: row.name, payload: JSON.parse(row.payload) as unknown, sentAt: Number(row.sent_at) };
  }

  async readWaits(runId: string, step: string): Promise<StepWait[]> {
    const { rows } = await this.pool.query<{ seq: number; record: string }>(this.selectWaits, [runId, step]);
    return rows.map((row) => ({ seq: row.seq, record: JSON.parse(row.record) as WaitRecord }));
  }

  async saveSchedule(schedule: ScheduleRecord): Promise<ScheduleRecord> {
    const { id, pipeline, version, cron, timezone, params, createdAt, seenAt } = schedule;
    const values = [id, pipeline, version, cron, timezone ?? null, JSON.stringify(params), createdAt, seenAt];
    const { rows } = await this.pool.query<ScheduleRow>(this.upsertSchedule, values);
    return scheduleFromRow(rows[0] as ScheduleRow);
  }

  async listSchedules(): Promise<StoredSchedule[]> {
    const { rows } = await this.pool.query<ScheduleRow>(this.selectSchedules);
    return rows.map((row) => ({
      ...scheduleFromRow(row),
      lastTickAt: row.last_tick_at === null || row.last_tick_at === undefined ? undefined : Number(row.last_tick_at),
      lastRunId: row.last_run_id ?? undefined,
    }));
  }

  /**
   * One atomic insert: of several controllers claiming a tick, exactly one inserts the row. When
   * nothing is inserted the row is read: if it names this caller's run, an earlier attempt whose
   * reply was lost with its connection did insert it, and the tick is this caller's.
   */
  async claimTick(scheduleId: string, tickAt: number, owner: string, runId: string): Promise<boolean> {
    const inserted = await this.pool.query(this.insertTick, [scheduleId, tickAt, owner, runId, Date.now()]);
    if (inserted.rows.length === 1) return true;
    const { rows } = await this.pool.query<{ run_id: string }>(this.selectTick, [scheduleId, tickAt]);
    return rows[0]?.run_id === runId;
  }
}
