import { Pool } from 'pg';
import type { ArtifactStore, CacheEntry, ErrorInfo, HistoryQuery, JournalEntry, Lease, LeaseHolder, PipelineEvent } from '@pipewright/core';
import type { RunRecord, RunStatus, RunStore, RunSummary, StepResult, StopRequest, StoredRun } from '@pipewright/core';
import type { ScheduleRecord, SignalRecord, StepWait, StoredSchedule, WaitRecord } from '@pipewright/core';
import { BatchWriter } from './batch-writer';
import { describeFailure, PostgresStoreError } from './errors';
import { JournalListener } from './journal-listener';
import { openSchema } from './migrations';
import { PostgresArtifactStore } from './postgres-artifact.store';
import { checkOptions } from './options';
import type { PostgresStoreOptions } from './options';
import { Queries } from './queries';
import { cacheRow, eventRow, runRow, stepRow } from './rows';
import { withRetries } from './retry';
import { RunControl } from './run-control';
import { RunFences } from './run-fences';
import { Staged } from './staged';
import { PostgresWaits } from './waits';

/**
 * The shared store: runs, steps, the event journal, artifacts, cache entries, leases, stop
 * requests, signals, step waits and schedules in PostgreSQL, so several controller processes (on several machines) share history,
 * cache and leases, take over each other's runs and follow them live (LISTEN/NOTIFY).
 *
 * Asynchronous: writes are staged in memory and `commit()` sends everything staged in one
 * statement (one transaction), resolving once it is durable. Commits are sent one after another;
 * writes staged while one is in flight go in the next. A run whose writes a failed commit carried
 * is fenced until it is begun again: what it staged is taken back, not sent with a later commit. The schema is created and migrated when
 * the store opens (see {@link PostgresStore.ready}).
 */
export class PostgresStore implements RunStore {
  readonly durable = true;
  readonly asynchronous = true;
  readonly artifacts: ArtifactStore;
  /** The Postgres schema (namespace) holding the store's tables. */
  readonly schema: string;

  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly opened: Promise<void>;
  private readonly staged = new Staged();
  private readonly fences = new RunFences(this.staged);
  private readonly writer: BatchWriter;
  private readonly control: RunControl;
  private readonly listener: JournalListener;
  private readonly queries: Queries;
  private readonly waits: PostgresWaits;
  /** Settles when the last commit sent has: reads wait for it, so they see what was committed. */
  private tail: Promise<void>;
  /** A commit waiting for the one in flight; it takes what is staged when it starts. */
  private next: Promise<void> | undefined;
  private closed = false;
  private readonly retries: number;

  constructor(options: PostgresStoreOptions) {
    const checked = checkOptions(options);
    this.schema = checked.schema;
    this.retries = checked.reconnectAttempts;
    const s = checked.quotedSchema;
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new Pool({ connectionString: options.connectionString, max: checked.maxConnections });
    // An idle connection whose backend is terminated emits 'error' on the pool: without a listener it would crash the process.
    if (this.ownsPool) this.pool.on('error', () => undefined);
    this.writer = new BatchWriter(this.pool, s, this.schema, checked.channel, checked.reconnectAttempts);
    this.control = new RunControl(this.pool, s);
    this.listener = new JournalListener(this.pool, checked.quotedChannel);
    this.artifacts = options.artifacts ?? new PostgresArtifactStore(this.pool, s, this.schema, () => this.opened);
    this.queries = new Queries(this.pool, s);
    this.waits = new PostgresWaits(this.pool, s);
    this.opened = openSchema(this.pool, this.schema, checked.quotedSchema);
    this.opened.catch(() => undefined); // reported by every call that needs the database
    this.tail = this.opened;
  }

  /**
   * Resolves once the schema is created or migrated; rejects with `SCHEMA_TOO_NEW`,
   * `MIGRATION_FAILED` or `CONNECTION_LOST`. Every other call waits for it too.
   */
  ready(): Promise<void> {
    return this.opened;
  }

  beginRun(run: RunRecord): void {
    this.assertOpen();
    this.fences.lift(run.runId);
    this.staged.run(runRow(run));
    // A resumed run continues its journal where the database says it stopped.
    this.writer.forget(run.runId);
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    this.assertOpen();
    if (this.fences.has(runId)) return;
    // Encoded now: the engine updates result objects in place.
    this.staged.step(stepRow(runId, step, result));
  }

  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    this.assertOpen();
    if (this.fences.has(runId)) return;
    this.staged.end(runId, status, endedAt, error);
  }

  appendEvent(event: PipelineEvent): void {
    this.assertOpen();
    if (this.fences.has(event.runId)) return;
    this.staged.event(eventRow(event));
  }

  putCache(entry: CacheEntry): void {
    this.assertOpen();
    this.staged.putCache(cacheRow(entry));
  }

  /**
   * Sends everything staged, in one statement after the commit in flight; resolves once it is
   * durable. A lost connection is retried on a fresh one (`reconnectAttempts`); then it rejects
   * with `CONNECTION_LOST` and nothing of the batch is applied. Called for a run (`runId`), it
   * also rejects once a failed commit carried writes of that run (see {@link RunFences}).
   */
  commit(runId?: string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    if (runId === undefined) return this.send();
    try {
      this.fences.check(runId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.send().then(() => this.fences.check(runId));
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    return this.read(`reading run ${runId}`, () => this.queries.getRun(runId));
  }

  async listRuns(query: HistoryQuery = {}): Promise<RunSummary[]> {
    const { pipeline, status, limit } = query;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new PostgresStoreError('INVALID_OPTION', `History limit must be an integer ≥ 0, got ${String(limit)}.`, { schema: this.schema });
    }
    return this.read('reading the history', () => this.queries.listRuns({ pipeline, status, limit }));
  }

  async getCache(key: string): Promise<CacheEntry | undefined> {
    return this.read('reading the cache', () => this.queries.getCache(key));
  }

  async acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver?: string): Promise<Lease> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new PostgresStoreError('INVALID_OPTION', `A lease's ttlMs must be a positive number, got ${String(ttlMs)}.`, { schema: this.schema });
    }
    return this.read(`taking the lease of run ${runId}`, () => this.control.acquireLease(runId, holder, ttlMs, takeOver));
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    return this.read(`releasing the lease of run ${runId}`, () => this.control.releaseLease(runId, owner));
  }

  async readLease(runId: string): Promise<Lease | undefined> {
    return this.read(`reading the lease of run ${runId}`, () => this.control.readLease(runId));
  }

  /** The committed journal after `afterSeq`: what any controller has published of the run. */
  async readEvents(runId: string, afterSeq: number): Promise<JournalEntry[]> {
    return this.read(`reading the journal of run ${runId}`, () => this.control.readEvents(runId, afterSeq));
  }

  /**
   * Calls `onAppend` each time a commit (of any controller) journals events of the run, through
   * LISTEN/NOTIFY; `engine.watch` reads the journal then instead of waiting for its next poll.
   */
  subscribeEvents(runId: string, onAppend: () => void): () => void {
    this.assertOpen();
    return this.listener.follow(runId, onAppend);
  }

  async requestStop(runId: string, request: StopRequest): Promise<void> {
    return this.read(`recording a stop request for run ${runId}`, () => this.control.requestStop(runId, request));
  }

  async readStopRequest(runId: string): Promise<StopRequest | undefined> {
    return this.read(`reading the stop request of run ${runId}`, () => this.control.readStopRequest(runId));
  }

  /** Records a signal durably at once; sent again after a lost connection, it is still one signal. */
  async sendSignal(runId: string, name: string, payload: unknown, sentAt: number): Promise<void> {
    const token = this.waits.newToken();
    return this.read(`sending signal '${name}' to run ${runId}`, () => this.waits.sendSignal(token, runId, name, payload, sentAt));
  }

  async readSignal(runId: string, name: string): Promise<SignalRecord | undefined> {
    return this.read(`reading signal '${name}' of run ${runId}`, () => this.waits.readSignal(runId, name));
  }

  /** Stages a step's wait; its commit also consumes the signal `consumes`, both or neither. */
  saveWait(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void {
    this.assertOpen();
    if (this.fences.has(runId)) return;
    this.staged.wait({ run_id: runId, step, seq, record: JSON.stringify(record) }, consumes);
  }

  async readWaits(runId: string, step: string): Promise<StepWait[]> {
    return this.read(`reading the waits of step '${step}' of run ${runId}`, () => this.waits.readWaits(runId, step));
  }

  async saveSchedule(schedule: ScheduleRecord): Promise<ScheduleRecord> {
    return this.read(`registering schedule '${schedule.id}'`, () => this.waits.saveSchedule(schedule));
  }

  async listSchedules(): Promise<StoredSchedule[]> {
    return this.read('listing the schedules', () => this.waits.listSchedules());
  }

  /** `true` for exactly one caller per tick, across every controller on the database. */
  async claimTick(scheduleId: string, tickAt: number, owner: string, runId: string): Promise<boolean> {
    return this.read(`claiming tick ${tickAt} of schedule '${scheduleId}'`, () => this.waits.claimTick(scheduleId, tickAt, owner, runId));
  }

  /** Commits what is staged, stops listening and, when the store opened the pool, closes it. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    const pending = !this.staged.empty;
    const last = this.commit();
    this.closed = true;
    try {
      // Failures of earlier commits were told to their callers; only the writes staged until now are at stake here.
      await (pending ? last : last.catch(() => undefined));
    } finally {
      this.listener.close();
      await this.artifacts.close?.();
      if (this.ownsPool) await this.pool.end();
    }
  }

  // ---------------------------------------------------------------- internals

  /** Sends what is staged after the commit in flight (or waits for that one when nothing is staged). */
  private send(): Promise<void> {
    if (this.staged.empty) return this.tail;
    if (this.next !== undefined) return this.next;
    const next = this.tail
      .catch(() => undefined)
      .then(async () => {
        this.next = undefined;
        await this.opened;
        const { batch, runs } = this.staged.take();
        try {
          await this.writer.send(batch);
        } catch (error) {
          // Before anyone hears of the failure: the runs it hits stage nothing more that a later commit would send.
          this.fences.fence(runs, error);
          throw error;
        }
      });
    next.catch(() => undefined); // the callers of commit() are told; a batch nobody awaits must not crash the process
    this.next = next;
    this.tail = next;
    return next;
  }


  /** Runs a read (or a lease's statement) once the store is open and the commits sent so far have settled; again on a fresh connection when it loses its own. */
  private async read<T>(what: string, query: () => Promise<T>): Promise<T> {
    this.assertOpen();
    await this.opened;
    await this.tail.catch(() => undefined);
    try {
      return await withRetries(query, this.retries);
    } catch (error) {
      throw describeFailure(error, what, this.schema);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): PostgresStoreError {
    return new PostgresStoreError('STORE_CLOSED', `The PostgresStore on schema '${this.schema}' is closed.`, { schema: this.schema });
  }
}
