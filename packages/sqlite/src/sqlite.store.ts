import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type {
  ArtifactRef,
  CacheEntry,
  ErrorInfo,
  HistoryQuery,
  JournalEntry,
  Lease,
  LeaseHolder,
  PipelineEvent,
  RunRecord,
  RunStatus,
  RunStore,
  RunSummary,
  ScheduleRecord,
  SignalRecord,
  StepResult,
  StepWait,
  StopRequest,
  StoredRun,
  StoredSchedule,
  WaitRecord,
} from '@pipewright/core';
import { SqliteStoreError } from './errors';
import { assertSupported, migrate, migrations } from './migrations';
import { describeOpenError, openDatabase } from './open-database';
import { RunControl } from './run-control';
import type { CacheRow, RunRow, StepRow } from './rows';
import { cacheFromRow, cacheParams, eventParams, runFromRow, runParams, stepFromRow, stepParams } from './rows';
import { SqliteArtifactStore } from './sqlite-artifact.store';
import { PendingWrites } from './pending-writes';
import { SqliteWaits } from './sqlite-waits';
import { HistoryStatements, prepareStatements } from './statements';
import type { Statements } from './statements';
import { OUTCOME_EVENTS } from './options';
import type { SqliteStoreOptions } from './options';

/** Where a run's journal and step order continue: kept in memory while the run is written. */
interface RunCounters {
  seq: number;
  /** Counts saves; the upsert keeps a step's first, so steps read back in order of first save. */
  position: number;
}

/**
 * The durable store: runs, steps, the event journal, artifact metadata, cache entries and
 * run leases in one SQLite file (WAL mode), artifact bytes as content-addressed files beside it.
 * Several processes may share the file.
 *
 * **Write before publish.** The engine saves a state change and journals the event that reports
 * it (`appendEvent`); by default (`commitEvery: 'batch'`) this store holds those writes, and the
 * engine calls `commit()` once for the events of a synchronous turn before it publishes them.
 * Every event is durable before any subscriber sees it, and a chain costs about one commit per
 * step rather than four. Reads, leases and artifact records commit what is pending first.
 */
export class SqliteStore implements RunStore {
  readonly durable = true;
  readonly artifacts: SqliteArtifactStore;
  /** Absolute path of the database file. */
  readonly path: string;

  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly history: HistoryStatements;
  private readonly control: RunControl;
  private readonly writes: PendingWrites;
  private readonly waits: SqliteWaits;
  private readonly commitEvery: 'batch' | 'outcome' | 'event';
  /** Per run being written: where its journal and step order continue. */
  private readonly counters = new Map<string, RunCounters>();
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options?.path !== 'string' || options.path === '' || options.path === ':memory:' || options.path.startsWith('file::memory:')) {
      throw new SqliteStoreError('INVALID_OPTION', `SqliteStore needs the path of a database file, got ${JSON.stringify(options?.path)}; use MemoryStore for runs that need not outlive the process.`);
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    const commitEvery = options.commitEvery ?? 'batch';
    if (commitEvery !== 'batch' && commitEvery !== 'outcome' && commitEvery !== 'event') {
      throw new SqliteStoreError('INVALID_OPTION', `commitEvery must be 'batch', 'outcome' or 'event', got ${JSON.stringify(options.commitEvery)}.`);
    }
    this.commitEvery = commitEvery;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new SqliteStoreError('INVALID_OPTION', `busyTimeoutMs must be an integer ≥ 0, got ${String(busyTimeoutMs)}.`);
    }
    this.path = resolve(options.path);
    const db = openDatabase(this.path, busyTimeoutMs, options.mustExist === true);
    try {
      // The busy timeout first: switching to WAL and migrating take locks another process may hold.
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // Before anything changes the file: a newer schema's file is refused untouched.
      assertSupported(db, migrations, this.path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      migrate(db, migrations, this.path);
    } catch (error) {
      db.close();
      throw describeOpenError(error, this.path);
    }
    this.db = db;
    this.control = new RunControl(db);

    this.sql = prepareStatements(db);
    this.history = new HistoryStatements(db);
    this.writes = new PendingWrites(db, () => this.closed);
    this.waits = new SqliteWaits(db);
    this.artifacts = new SqliteArtifactStore(options.artifactsDir ?? `${this.path}.artifacts`, (ref, createdAt) => this.recordArtifact(ref, createdAt));
  }

  beginRun(run: RunRecord): void {
    const params = runParams(run);
    // A resumed run continues its journal and step order where they stopped.
    const counters = this.countersOf(run.runId, false);
    this.writes.defer(this.sql.upsertRun, params);
    this.counters.set(run.runId, counters ?? { seq: 0, position: 0 });
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    const counters = this.countersOf(runId, true) as RunCounters;
    // Encoded now: the engine updates result objects in place.
    const params = stepParams(runId, step, ++counters.position, result);
    this.writes.deferStep(this.sql.upsertStep, `${runId}\0${step}`, params);
  }

  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    this.assertOpen();
    this.writes.defer(this.sql.endRun, [status, endedAt, error === undefined ? null : JSON.stringify(error), runId]);
    this.writes.defer(this.control.clearStop, [runId]);
  }

  /**
   * Journals the event. Under `commitEvery: 'batch'` it waits for `commit()`; under `'outcome'`
   * an outcome, and under `'event'` any event, is committed with every write before it by the
   * time this returns.
   */
  appendEvent(event: PipelineEvent): void {
    const counters = this.countersOf(event.runId, true) as RunCounters;
    const params = eventParams(event, ++counters.seq);
    // The run's last event: its counters are not needed any more.
    if (event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.aborted') this.counters.delete(event.runId);
    const commitsNow = this.commitEvery === 'event' || (this.commitEvery === 'outcome' && OUTCOME_EVENTS.has(event.type));
    if (!commitsNow) this.writes.defer(this.sql.insertEvent, params);
    else if (this.writes.size === 0) this.sql.insertEvent.run(params);
    else this.writes.commit([this.sql.insertEvent, params]);
  }

  /** Commits every pending write now: the engine calls it before publishing a batch of events. */
  commit(): void {
    this.flush();
  }

  getRun(runId: string): StoredRun | undefined {
    this.flush();
    const row = this.sql.selectRun.get(runId) as RunRow | undefined;
    if (row === undefined) return undefined;
    // fromEntries defines own properties: a step named `__proto__` stays a step.
    const steps: Record<string, StepResult> = Object.fromEntries((this.sql.selectSteps.all(runId) as StepRow[]).map((stepRow) => [stepRow.step, stepFromRow(stepRow)]));
    return { run: runFromRow(row), steps };
  }

  listRuns(query: HistoryQuery = {}): RunSummary[] {
    const { pipeline, status, limit } = query;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new SqliteStoreError('INVALID_OPTION', `History limit must be an integer ≥ 0, got ${String(limit)}.`);
    }
    this.flush();
    const params: unknown[] = [];
    if (pipeline !== undefined) params.push(pipeline);
    if (status !== undefined) params.push(status);
    params.push(limit ?? -1);
    const rows = this.history.get(pipeline !== undefined, status !== undefined).all(params) as RunRow[];
    return rows.map((row) => ({
      runId: row.run_id,
      pipeline: row.pipeline,
      version: row.version,
      status: row.status as RunSummary['status'],
      startedAt: row.started_at,
      endedAt: row.ended_at ?? undefined,
    }));
  }

  /** The journal of a run: every event the engine published for it, in order. */
  events(runId: string): PipelineEvent[] {
    this.flush();
    return (this.sql.selectEvents.all(runId) as string[]).map((body) => JSON.parse(body) as PipelineEvent);
  }

  getCache(key: string): CacheEntry | undefined {
    this.flush();
    const row = this.sql.selectCache.get(key) as CacheRow | undefined;
    return row && cacheFromRow(row);
  }

  putCache(entry: CacheEntry): void {
    this.assertOpen();
    this.writes.defer(this.sql.upsertCache, cacheParams(entry));
  }

  /**
   * Takes or renews the run's lease in one atomic statement inside an immediate transaction:
   * of two processes asking at once, one waits for the other's commit and then sees its lease.
   */
  acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver?: string): Lease {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new SqliteStoreError('INVALID_OPTION', `A lease's ttlMs must be a positive number, got ${String(ttlMs)}.`);
    this.flush();
    return this.control.acquireLease(runId, holder, ttlMs, takeOver);
  }

  releaseLease(runId: string, owner: string): void {
    this.flush();
    this.control.releaseLease(runId, owner);
  }

  readLease(runId: string): Lease | undefined {
    this.flush();
    return this.control.readLease(runId);
  }

  /** The committed journal after `afterSeq`: what another process has published of the run. */
  readEvents(runId: string, afterSeq: number): JournalEntry[] {
    this.flush();
    return this.control.readEvents(runId, afterSeq);
  }

  requestStop(runId: string, request: StopRequest): void {
    this.flush();
    this.control.requestStop(runId, request);
  }

  readStopRequest(runId: string): StopRequest | undefined {
    this.flush();
    return this.control.readStopRequest(runId);
  }

  // Signals, step waits and schedules (schema version 3): see SqliteWaits.

  sendSignal(runId: string, name: string, payload: unknown, sentAt: number): void {
    this.flush();
    this.waits.sendSignal(runId, name, payload, sentAt);
  }

  readSignal(runId: string, name: string): SignalRecord | undefined {
    this.flush();
    return this.waits.readSignal(runId, name);
  }

  /** Staged with the run's writes; a consumed signal is deleted in the same commit. */
  saveWait(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void {
    this.assertOpen();
    this.writes.defer(this.waits.upsertWait, this.waits.waitParams(runId, step, seq, record));
    if (consumes !== undefined) this.writes.defer(this.waits.consumeSignal, [consumes]);
  }

  readWaits(runId: string, step: string): StepWait[] {
    this.flush();
    return this.waits.readWaits(runId, step);
  }

  saveSchedule(schedule: ScheduleRecord): ScheduleRecord {
    this.flush();
    return this.waits.saveSchedule(schedule);
  }

  listSchedules(): StoredSchedule[] {
    this.flush();
    return this.waits.listSchedules();
  }

  claimTick(scheduleId: string, tickAt: number, owner: string, runId: string): boolean {
    this.flush();
    return this.waits.claimTick(scheduleId, tickAt, owner, runId);
  }

  /** Commits what is pending and closes the database. Safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    try {
      this.flush();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  // ---------------------------------------------------------------- internals

  /** Commits pending writes now; throws a deferred commit's failure once. */
  private flush(): void {
    this.assertOpen();
    this.writes.commit();
  }

  private assertOpen(): void {
    if (this.closed) throw new SqliteStoreError('STORE_CLOSED', `The SqliteStore on ${this.path} is closed.`, { path: this.path });
    this.writes.throwDeferred();
  }

  /**
   * The counters of a run, read from the database the first time this store writes it.
   * With `required`, a run that was never begun is an `UNKNOWN_RUN` error.
   */
  private countersOf(runId: string, required: boolean): RunCounters | undefined {
    this.assertOpen();
    const known = this.counters.get(runId);
    if (known !== undefined) return known;
    this.flush();
    const row = this.sql.selectCounters.get({ runId }) as { found: number | null; seq: number; position: number };
    if (row.found === null) {
      if (!required) return undefined;
      throw new SqliteStoreError('UNKNOWN_RUN', `Cannot write to run '${runId}': the run was never begun in ${this.path}.`, { path: this.path });
    }
    const counters: RunCounters = { seq: row.seq, position: row.position };
    this.counters.set(runId, counters);
    return counters;
  }

  private recordArtifact(ref: ArtifactRef, createdAt: number): void {
    this.flush();
    this.sql.insertArtifact.run(ref.id, ref.runId, ref.step, ref.name, ref.hash, ref.size, createdAt);
  }
}
