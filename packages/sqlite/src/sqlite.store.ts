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
import { OUTCOME_EVENT_TYPES } from '@pipewright/core';
import { SqliteStoreError } from './errors';
import { openStore } from './open-store';
import { RunControl } from './run-control';
import type { CacheRow, RunRow } from './rows';
import { cacheFromRow, cacheParams, eventJson, runFromRow, runParams, stepFromRow, stepParams } from './rows';
import { SqliteArtifactStore } from './sqlite-artifact.store';
import { PendingWrites } from './pending-writes';
import { RunCountersCache } from './run-counters';
import type { RunCounters } from './run-counters';
import { SqliteWaits } from './sqlite-waits';
import { JournalTable } from './journal';
import { StepTable } from './step-table';
import type { Write } from './pending-writes';
import { HistoryStatements, prepareStatements } from './statements';
import type { Statements } from './statements';
import type { SqliteStoreOptions } from './options';

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
  private readonly journal: JournalTable;
  private readonly stepRows: StepTable;
  /** Writes a step's row inside the commit; a run missing from the file fails it. */
  private readonly saveStepRow: Write;
  private readonly commitEvery: 'batch' | 'outcome' | 'event';
  /** Per run being written: where its journal and step order continue. */
  private readonly counters: RunCountersCache;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    const { db, path, commitEvery } = openStore(options);
    this.db = db;
    this.path = path;
    this.commitEvery = commitEvery;
    this.control = new RunControl(db);

    this.sql = prepareStatements(db);
    this.history = new HistoryStatements(db);
    this.journal = new JournalTable(db);
    this.writes = new PendingWrites(db, (runId, first, last, events) => this.appendJournal(runId, first, last, events), () => this.closed);
    this.waits = new SqliteWaits(db);
    this.stepRows = new StepTable(db);
    this.saveStepRow = {
      run: (params) => {
        if (!this.stepRows.save(params)) throw this.unknownRun(params[params.length - 1] as string);
      },
    };
    this.counters = new RunCountersCache((runId) => this.readCounters(runId), () => this.flush(), (runId) => this.unknownRun(runId));
    this.artifacts = new SqliteArtifactStore(options.artifactsDir ?? `${this.path}.artifacts`, (ref, createdAt) => this.recordArtifact(ref, createdAt));
  }

  beginRun(run: RunRecord): void {
    this.assertOpen();
    // A resumed run continues its journal and step order where they stopped.
    this.counters.begin(run.runId);
    this.writes.defer(this.sql.upsertRun, runParams(run));
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    this.assertOpen();
    const counters = this.counters.of(runId, true) as RunCounters;
    let position = counters.positions.get(step);
    if (position === undefined) counters.positions.set(step, (position = ++counters.position));
    // Encoded now: the engine updates result objects in place.
    this.writes.deferStep(this.saveStepRow, `${runId}\0${step}`, stepParams(runId, step, position, result));
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
    this.assertOpen();
    const counters = this.counters.of(event.runId, true) as RunCounters;
    // Encoded before it takes a seq: an event that cannot be stored leaves no gap in the journal.
    const body = eventJson(event);
    this.writes.deferEvent(event.runId, ++counters.seq, body);
    // The run's last event: its counters are not needed any more.
    if (event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.aborted') this.counters.forget(event.runId);
    if (this.commitEvery === 'event' || (this.commitEvery === 'outcome' && OUTCOME_EVENT_TYPES.has(event.type))) this.writes.commit();
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
    const steps: Record<string, StepResult> = Object.fromEntries(this.stepRows.rowsOf(runId).map((stepRow) => [stepRow.step, stepFromRow(stepRow)]));
    return { run: runFromRow(row), steps };
  }

  listRuns(query: HistoryQuery = {}): RunSummary[] {
    return this.afterFlush(() => this.history.list(query));
  }

  /** The journal of a run: every event the engine published for it, in order. */
  events(runId: string): PipelineEvent[] {
    this.flush();
    return this.journal.after(runId, 0).map((entry) => entry.event);
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
    this.assertOpen();
    // What is pending commits in the lease's transaction: one commit rather than two.
    return this.control.acquireLease(runId, holder, ttlMs, takeOver, () => this.writes.commit());
  }

  /** Commits what is pending and gives the lease back, in one transaction; visible to every process at once. */
  releaseLease(runId: string, owner: string): void {
    this.assertOpen();
    this.writes.defer(this.control.dropLease, [runId, owner]);
    this.writes.commit();
  }

  readLease(runId: string): Lease | undefined {
    return this.afterFlush(() => this.control.readLease(runId));
  }

  /** The committed journal after `afterSeq`: what another process has published of the run. */
  readEvents(runId: string, afterSeq: number): JournalEntry[] {
    return this.afterFlush(() => this.journal.after(runId, afterSeq));
  }

  requestStop(runId: string, request: StopRequest): void {
    this.flush();
    this.control.requestStop(runId, request);
  }

  readStopRequest(runId: string): StopRequest | undefined {
    return this.afterFlush(() => this.control.readStopRequest(runId));
  }

  // Signals, step waits and schedules (schema version 3): see SqliteWaits.

  sendSignal(runId: string, name: string, payload: unknown, sentAt: number): void {
    this.flush();
    this.waits.sendSignal(runId, name, payload, sentAt);
  }

  readSignal(runId: string, name: string): SignalRecord | undefined {
    return this.afterFlush(() => this.waits.readSignal(runId, name));
  }

  /** Staged with the run's writes; a consumed signal is deleted in the same commit. */
  saveWait(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void {
    this.assertOpen();
    this.writes.defer(this.waits.upsertWait, this.waits.waitParams(runId, step, seq, record));
    if (consumes !== undefined) this.writes.defer(this.waits.consumeSignal, [consumes]);
  }

  readWaits(runId: string, step: string): StepWait[] {
    return this.afterFlush(() => this.waits.readWaits(runId, step));
  }

  saveSchedule(schedule: ScheduleRecord): ScheduleRecord {
    return this.afterFlush(() => this.waits.saveSchedule(schedule));
  }

  listSchedules(): StoredSchedule[] {
    return this.afterFlush(() => this.waits.listSchedules());
  }

  claimTick(scheduleId: string, tickAt: number, owner: string, runId: string): boolean {
    return this.afterFlush(() => this.waits.claimTick(scheduleId, tickAt, owner, runId));
  }

  /** Commits what is pending and closes the database. Safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    try {
      this.flush();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  // ---------------------------------------------------------------- internals

  /** Reads what is committed, this process's pending writes included. */
  private afterFlush<T>(read: () => T): T {
    this.flush();
    return read();
  }

  /** Commits pending writes now; throws a deferred commit's failure once. */
  private flush(): void {
    this.assertOpen();
    this.writes.commit();
  }

  private assertOpen(): void {
    if (this.closed) throw new SqliteStoreError('STORE_CLOSED', `The SqliteStore on ${this.path} is closed.`, { path: this.path });
    this.writes.throwDeferred();
  }

  /** A run's counters from the file (pending writes committed), `undefined` when it is not there. */
  private readCounters(runId: string): RunCounters | undefined {
    const positions = this.stepRows.positionsOf(runId);
    if (positions.size === 0 && this.sql.selectRun.get(runId) === undefined) return undefined;
    let position = 0;
    for (const saved of positions.values()) position = Math.max(position, saved);
    return { seq: this.journal.lastSeq(runId), position, positions };
  }

  private unknownRun(runId: string): SqliteStoreError {
    return new SqliteStoreError('UNKNOWN_RUN', `Cannot write to run '${runId}': the run was never begun in ${this.path}.`, { path: this.path });
  }

  /** Inside the commit's transaction: a run missing from the file fails the commit. */
  private appendJournal(runId: string, first: number, last: number, events: string): void {
    if (!this.journal.append(runId, first, last, events)) throw this.unknownRun(runId);
  }

  private recordArtifact(ref: ArtifactRef, createdAt: number): void {
    this.flush();
    this.sql.insertArtifact.run(ref.id, ref.runId, ref.step, ref.name, ref.hash, ref.size, createdAt);
  }
}
