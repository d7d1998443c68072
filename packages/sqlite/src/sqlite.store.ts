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
import { cacheFromRow, cacheParams, runFromRow, stepFromRow } from './rows';
import { SqliteArtifactStore } from './sqlite-artifact.store';
import type { PendingWrites } from './pending-writes';
import { RunWriter } from './run-writer';
import { SqliteWaits } from './sqlite-waits';
import { StoreLeases } from './store-leases';
import type { JournalTable } from './journal';
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
 * step rather than four. Reads and artifact records commit what is pending first. A lease the
 * engine takes commits with the run's first record, and goes back with its end: a 10-step run
 * of four levels is five commits. A failed commit fails the runs whose writes it lost, no other.
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
  private readonly runs: RunWriter;
  private readonly leases: StoreLeases;
  private readonly writes: PendingWrites;
  private readonly waits: SqliteWaits;
  private readonly journal: JournalTable;
  private readonly commitEvery: 'batch' | 'outcome' | 'event';
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    const { db, path, commitEvery } = openStore(options);
    this.db = db;
    this.path = path;
    this.commitEvery = commitEvery;
    this.control = new RunControl(db);
    this.sql = prepareStatements(db);
    this.history = new HistoryStatements(db);
    this.runs = new RunWriter(db, { upsertRun: this.sql.upsertRun, endRun: this.sql.endRun, clearStop: this.control.clearStop }, path, () => this.closed);
    this.writes = this.runs.writes;
    this.journal = this.runs.journal;
    this.leases = new StoreLeases(this.control, this.writes, path);
    this.waits = new SqliteWaits(db);
    this.artifacts = new SqliteArtifactStore(options.artifactsDir ?? `${this.path}.artifacts`, (ref, createdAt) => this.recordArtifact(ref, createdAt));
  }

  beginRun(run: RunRecord): void {
    this.assertOpen();
    this.runs.begin(run);
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    this.assertOpen();
    this.runs.saveStep(runId, step, result);
  }

  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    this.assertOpen();
    this.runs.end(runId, status, endedAt, error);
    this.leases.releaseWithEnd(runId);
  }

  /**
   * Journals the event. Under `commitEvery: 'batch'` it waits for `commit()`; under `'outcome'`
   * an outcome, and under `'event'` any event, is committed with every write before it by the
   * time this returns.
   */
  appendEvent(event: PipelineEvent): void {
    this.assertOpen();
    this.runs.appendEvent(event);
    if (this.commitEvery === 'event' || (this.commitEvery === 'outcome' && OUTCOME_EVENT_TYPES.has(event.type))) this.writes.commit(event.runId);
  }

  /**
   * Commits every pending write now: the engine calls it, naming the run (`runId`), before
   * publishing a batch of events. Throws for that run if a commit lost its writes since it was
   * last begun (see `RunStore.commit`); without a run, throws any failure of this commit.
   */
  commit(runId?: string): void {
    this.assertOpen();
    this.writes.commit(runId);
  }

  getRun(runId: string): StoredRun | undefined {
    this.settle();
    const row = this.sql.selectRun.get(runId) as RunRow | undefined;
    if (row === undefined) return undefined;
    // fromEntries defines own properties: a step named `__proto__` stays a step.
    const steps: Record<string, StepResult> = Object.fromEntries(this.runs.steps.rowsOf(runId).map((stepRow) => [stepRow.step, stepFromRow(stepRow)]));
    return { run: runFromRow(row), steps };
  }

  listRuns(query: HistoryQuery = {}): RunSummary[] {
    return this.afterFlush(() => this.history.list(query));
  }

  /** The journal of a run: every event the engine published for it, in order. */
  events(runId: string): PipelineEvent[] {
    this.settle();
    return this.journal.after(runId, 0).map((entry) => entry.event);
  }

  getCache(key: string): CacheEntry | undefined {
    this.settle();
    const row = this.sql.selectCache.get(key) as CacheRow | undefined;
    return row && cacheFromRow(row);
  }

  putCache(entry: CacheEntry): void {
    this.assertOpen();
    // A cache entry is no run's: whoever writes it, it is a step's output.
    this.writes.defer(this.sql.upsertCache, cacheParams(entry), undefined);
  }

  /**
   * Takes or renews the run's lease in one atomic statement inside an immediate transaction: of
   * two processes asking at once, one waits for the other's commit and then sees its lease. A
   * renewal commits at once. A lease newly taken commits with the next commit, which the engine
   * makes in the same synchronous turn (the run's record): one commit for both. Nothing of this
   * store commits before it, and if nobody commits, it commits once the current job's microtasks
   * have run; act on it only after a commit, as the engine does.
   */
  acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver?: string): Lease {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new SqliteStoreError('INVALID_OPTION', `A lease's ttlMs must be a positive number, got ${String(ttlMs)}.`);
    this.assertOpen();
    return this.leases.acquire(runId, holder, ttlMs, takeOver);
  }

  /**
   * Gives the lease back, visibly to every process at once: committed with what is pending, or
   * already by the commit of the run's end (`endRun` stages the release of a lease this store took).
   */
  releaseLease(runId: string, owner: string): void {
    this.assertOpen();
    this.leases.release(runId, owner);
  }

  readLease(runId: string): Lease | undefined {
    return this.afterFlush(() => this.control.readLease(runId));
  }

  /** The committed journal after `afterSeq`: what another process has published of the run. */
  readEvents(runId: string, afterSeq: number): JournalEntry[] {
    return this.afterFlush(() => this.journal.after(runId, afterSeq));
  }

  requestStop(runId: string, request: StopRequest): void {
    this.settle();
    this.control.requestStop(runId, request);
  }

  readStopRequest(runId: string): StopRequest | undefined {
    return this.afterFlush(() => this.control.readStopRequest(runId));
  }

  // Signals, step waits and schedules (schema version 3): see SqliteWaits.

  sendSignal(runId: string, name: string, payload: unknown, sentAt: number): void {
    this.settle();
    this.waits.sendSignal(runId, name, payload, sentAt);
  }

  readSignal(runId: string, name: string): SignalRecord | undefined {
    return this.afterFlush(() => this.waits.readSignal(runId, name));
  }

  /** Staged with the run's writes; a consumed signal is deleted in the same commit. */
  saveWait(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void {
    this.assertOpen();
    this.writes.defer(this.waits.upsertWait, this.waits.waitParams(runId, step, seq, record), runId);
    if (consumes !== undefined) this.writes.defer(this.waits.consumeSignal, [consumes], runId);
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
      this.assertOpen();
      this.writes.commit();
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
    this.settle();
    return read();
  }

  /**
   * Commits pending writes now, before a read or a write of its own. A failure is the business
   * of the runs whose writes it lost (their commits throw it), not of this caller.
   */
  private settle(): void {
    this.assertOpen();
    this.writes.settle();
  }

  private assertOpen(): void {
    if (this.closed) throw new SqliteStoreError('STORE_CLOSED', `The SqliteStore on ${this.path} is closed.`, { path: this.path });
  }

  private recordArtifact(ref: ArtifactRef, createdAt: number): void {
    this.settle();
    this.sql.insertArtifact.run(ref.id, ref.runId, ref.step, ref.name, ref.hash, ref.size, createdAt);
  }
}
