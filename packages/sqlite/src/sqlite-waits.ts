import type Database from 'better-sqlite3';
import type { ScheduleRecord, SignalRecord, StepWait, StoredSchedule, WaitRecord } from '@pipewright/core';

type Statement = Database.Statement<unknown[]>;

interface ScheduleRow {
  readonly id: string;
  readonly pipeline: string;
  readonly version: string;
  readonly cron: string;
  readonly timezone: string | null;
  readonly params: string;
  readonly created_at: number;
  readonly seen_at: number;
  readonly last_tick_at?: number | null;
  readonly last_run_id?: string | null;
}

const scheduleFromRow = (row: ScheduleRow): ScheduleRecord => ({
  id: row.id,
  pipeline: row.pipeline,
  version: row.version,
  cron: row.cron,
  timezone: row.timezone ?? undefined,
  params: JSON.parse(row.params) as Record<string, unknown>,
  createdAt: row.created_at,
  seenAt: row.seen_at,
});

/**
 * Signals, step waits and schedules in the file (schema version 3). Signals, schedules and tick
 * claims are written at once (they come from other processes, or must be exclusive now); a step's
 * wait record is staged by the store with the run's other writes (`upsertWait`, `consumeSignal`),
 * so a delivered signal is recorded and consumed in the same commit.
 */
export class SqliteWaits {
  /** Stages a wait record (bound: run id, step, seq, record JSON). */
  readonly upsertWait: Statement;
  /** Deletes a consumed signal (bound: id); staged with its wait record. */
  readonly consumeSignal: Statement;
  private readonly insertSignal: Statement;
  private readonly selectSignal: Statement;
  private readonly selectWaits: Statement;
  private readonly upsertSchedule: Statement;
  private readonly selectSchedule: Statement;
  private readonly selectSchedules: Statement;
  private readonly insertTick: Statement;

  constructor(db: Database.Database) {
    this.upsertWait = db.prepare(
      'INSERT INTO step_waits (run_id, step, seq, record) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, step, seq) DO UPDATE SET record = excluded.record',
    );
    this.consumeSignal = db.prepare('DELETE FROM signals WHERE id = ?');
    this.insertSignal = db.prepare('INSERT INTO signals (run_id, name, payload, sent_at) VALUES (?, ?, ?, ?)');
    this.selectSignal = db.prepare('SELECT id, name, payload, sent_at FROM signals WHERE run_id = ? AND name = ? ORDER BY id LIMIT 1');
    this.selectWaits = db.prepare('SELECT seq, record FROM step_waits WHERE run_id = ? AND step = ? ORDER BY seq');
    this.upsertSchedule = db.prepare(
      `INSERT INTO schedules (id, pipeline, version, cron, timezone, params, created_at, seen_at) VALUES (@id, @pipeline, @version, @cron, @timezone, @params, @createdAt, @seenAt)
       ON CONFLICT (id) DO UPDATE SET pipeline = excluded.pipeline, version = excluded.version, cron = excluded.cron,
         timezone = excluded.timezone, params = excluded.params, seen_at = excluded.seen_at`,
    );
    this.selectSchedule = db.prepare('SELECT * FROM schedules WHERE id = ?');
    this.selectSchedules = db.prepare(
      `SELECT s.*, t.tick_at AS last_tick_at, t.run_id AS last_run_id FROM schedules s
       LEFT JOIN schedule_ticks t ON t.schedule_id = s.id AND t.tick_at = (SELECT MAX(tick_at) FROM schedule_ticks WHERE schedule_id = s.id)
       ORDER BY s.id`,
    );
    this.insertTick = db.prepare('INSERT INTO schedule_ticks (schedule_id, tick_at, owner, run_id, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  }

  sendSignal(runId: string, name: string, payload: unknown, sentAt: number): void {
    this.insertSignal.run(runId, name, JSON.stringify(payload), sentAt);
  }

  readSignal(runId: string, name: string): SignalRecord | undefined {
    const row = this.selectSignal.get(runId, name) as { id: number; name: string; payload: string; sent_at: number } | undefined;
    return row && { id: row.id, name: row.name, payload: JSON.parse(row.payload) as unknown, sentAt: row.sent_at };
  }

  /** The statement parameters of a wait record, for the store to stage. */
  waitParams(runId: string, step: string, seq: number, record: WaitRecord): unknown[] {
    return [runId, step, seq, JSON.stringify(record)];
  }

  readWaits(runId: string, step: string): StepWait[] {
    return (this.selectWaits.all(runId, step) as Array<{ seq: number; record: string }>).map((row) => ({ seq: row.seq, record: JSON.parse(row.record) as WaitRecord }));
  }

  saveSchedule(schedule: ScheduleRecord): ScheduleRecord {
    this.upsertSchedule.run({ ...schedule, timezone: schedule.timezone ?? null, params: JSON.stringify(schedule.params) });
    return scheduleFromRow(this.selectSchedule.get(schedule.id) as ScheduleRow);
  }

  listSchedules(): StoredSchedule[] {
    return (this.selectSchedules.all() as ScheduleRow[]).map((row) => ({
      ...scheduleFromRow(row),
      lastTickAt: row.last_tick_at ?? undefined,
      lastRunId: row.last_run_id ?? undefined,
    }));
  }

  /** One statement: of several processes claiming one tick, exactly one inserts the row. */
  claimTick(scheduleId: string, tickAt: number, owner: string, runId: string): boolean {
    return this.insertTick.run(scheduleId, tickAt, owner, runId, Date.now()).changes === 1;
  }
}
