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
import { SqliteWaits } from './sqlite-waits';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file; its folder is created when missing. */
  readonly path: string;
  /** Folder of the artifact blobs. Default: `<path>.artifacts` beside the database. */
  readonly artifactsDir?: string;
  /** How long a write waits for another process's write to finish before failing. Default 5 000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * `'normal'` (default): a commit survives the process being killed at any point; a power
   * loss may roll back the last commits, never corrupt the file. `'full'`: commits also
   * survive a power loss, at the cost of an fsync each.
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * When writes are committed.
   * - `'batch'` (default): when the engine calls `commit()`, which it does before it publishes
   *   the events of each synchronous turn; so every event is committed before any subscriber
   *   sees it, at one commit per batch (about one per step on a chain). Writes nobody commits
   *   are committed when the current turn of the event loop ends.
   * - `'outcome'`: `appendEvent` itself commits `run.*` events and every step outcome
   *   (`succeeded`, `cached`, `failed`, `skipped`, `aborted`) with the writes before them;
   *   progress events join the next commit. For callers that publish right after `appendEvent`.
   * - `'event'`: `appendEvent` commits every event, one commit each.
   */
  readonly commitEvery?: 'batch' | 'outcome' | 'event';
  /**
   * Refuse (`NOT_FOUND`) rather than create a database that does not exist yet: for commands
   * that read or continue runs, where a mistyped path would otherwise be a new, empty store.
   */
  readonly mustExist?: boolean;
}

/** Events that report what `resume()` relies on: a run's start and end, and step outcomes. */
const OUTCOME_EVENTS: ReadonlySet<string> = new Set([
  'run.started',
  'run.succeeded',
  'run.failed',
  'run.aborted',
  'step.succeeded',
  'step.cached',
  'step.failed',
  'step.skipped',
  'step.aborted',
]);

type Statement = Database.Statement<unknown[]>;

/** Where a run's journal and step order continue: kept in memory while the run is written. */
interface RunCounters {
  seq: number;
  /** Counts saves; the upsert keeps a step's first, so steps read back in order of first save. */
  position: number;
}

const RUN_COLUMNS = 'run_id, pipeline, version, status, params, input, fingerprint, started_at, ended_at, error';
const STEP_COLUMNS = 'step, position, status, output, attempts, error, started_at, ended_at, metrics, logs, artifacts';

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
  private readonly upsertRun: Statement;
  private readonly endRunStatement: Statement;
  private readonly upsertStep: Statement;
  private readonly insertEvent: Statement;
  private readonly upsertCache: Statement;
  private readonly selectCache: Statement;
  private readonly selectRun: Statement;
  private readonly selectSteps: Statement;
  private readonly selectEvents: Statement;
  private readonly selectCounters: Statement;
  private readonly control: RunControl;
  private readonly waits: SqliteWaits;
  private readonly insertArtifact: Statement;
  private readonly historyStatements = new Map<string, Statement>();
  private readonly commitPending: (event: unknown[] | undefined) => void;

  /** Writes waiting for the event that reports them (see the class comment). */
  private readonly pending: Array<[Statement, unknown[]]> = [];
  /** Index in `pending` of each step's upsert (`runId\0step`): later saves replace it, one row write per commit. */
  private readonly pendingSteps = new Map<string, number>();
  private flushQueued = false;
  private readonly commitEvery: 'batch' | 'outcome' | 'event';
  /** A deferred commit that failed: thrown by the next call, never lost. */
  private deferredError: unknown;
  /** Journal and step positions of the runs this store is writing, by run id. */
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
    this.waits = new SqliteWaits(db);

    this.upsertRun = db.prepare(
      `INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET pipeline = excluded.pipeline, version = excluded.version, status = excluded.status,
         params = excluded.params, input = excluded.input, fingerprint = excluded.fingerprint,
         started_at = excluded.started_at, ended_at = excluded.ended_at, error = excluded.error`,
    );
    this.endRunStatement = db.prepare('UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE run_id = ?');
    this.upsertStep = db.prepare(
      `INSERT INTO steps (run_id, ${STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, step) DO UPDATE SET status = excluded.status, output = excluded.output, attempts = excluded.attempts,
         error = excluded.error, started_at = excluded.started_at, ended_at = excluded.ended_at,
         metrics = excluded.metrics, logs = excluded.logs, artifacts = excluded.artifacts`,
    );
    this.insertEvent = db.prepare('INSERT INTO events (run_id, seq, type, step, at, body) VALUES (?, ?, ?, ?, ?, ?)');
    this.upsertCache = db.prepare(
      `INSERT INTO cache (key, pipeline, step, output, artifacts, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET pipeline = excluded.pipeline, step = excluded.step, output = excluded.output,
         artifacts = excluded.artifacts, created_at = excluded.created_at`,
    );
    this.selectCache = db.prepare('SELECT * FROM cache WHERE key = ?');
    this.selectRun = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`);
    this.selectSteps = db.prepare(`SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = ? ORDER BY position`);
    this.selectEvents = db.prepare('SELECT body FROM events WHERE run_id = ? ORDER BY seq').pluck();
    this.selectCounters = db.prepare(
      `SELECT (SELECT 1 FROM runs WHERE run_id = @runId) AS found,
              (SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = @runId) AS seq,
              (SELECT COALESCE(MAX(position), 0) FROM steps WHERE run_id = @runId) AS position`,
    );
    this.insertArtifact = db.prepare(
      'INSERT OR IGNORE INTO artifacts (id, run_id, step, name, hash, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );

    const commit = db.transaction((event: unknown[] | undefined) => {
      const { pending } = this;
      for (let index = 0; index < pending.length; index++) {
        const [statement, params] = pending[index] as [Statement, unknown[]];
        statement.run(params);
      }
      if (event !== undefined) this.insertEvent.run(event);
    });
    this.commitPending = (event) => {
      try {
        commit.immediate(event);
      } finally {
        // Committed, or rolled back and reported to the caller: either way these writes are done with.
        this.pending.length = 0;
        this.pendingSteps.clear();
      }
    };
    this.artifacts = new SqliteArtifactStore(options.artifactsDir ?? `${this.path}.artifacts`, (ref, createdAt) => this.recordArtifact(ref, createdAt));
  }

  beginRun(run: RunRecord): void {
    const params = runParams(run);
    // A resumed run continues its journal and step order where they stopped.
    const counters = this.countersOf(run.runId, false);
    this.defer(this.upsertRun, params);
    this.counters.set(run.runId, counters ?? { seq: 0, position: 0 });
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    const counters = this.countersOf(runId, true) as RunCounters;
    // Encoded now: the engine updates result objects in place.
    const params = stepParams(runId, step, ++counters.position, result);
    const key = `${runId}\0${step}`;
    const earlier = this.pendingSteps.get(key);
    if (earlier === undefined) {
      this.pendingSteps.set(key, this.pending.length);
      this.defer(this.upsertStep, params);
    } else {
      // Same row, newer state; the earlier save's position is the one that orders the step.
      const replaced = (this.pending[earlier] as [Statement, unknown[]])[1];
      params[2] = replaced[2];
      (this.pending[earlier] as [Statement, unknown[]])[1] = params;
    }
  }

  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    this.assertOpen();
    this.defer(this.endRunStatement, [status, endedAt, error === undefined ? null : JSON.stringify(error), runId]);
    this.defer(this.control.clearStop, [runId]);
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
    if (!commitsNow) this.defer(this.insertEvent, params);
    else if (this.pending.length === 0) this.insertEvent.run(params);
    else this.commitPending(params);
  }

  /** Commits every pending write now: the engine calls it before publishing a batch of events. */
  commit(): void {
    this.flush();
  }

  getRun(runId: string): StoredRun | undefined {
    this.flush();
    const row = this.selectRun.get(runId) as RunRow | undefined;
    if (row === undefined) return undefined;
    // fromEntries defines own properties: a step named `__proto__` stays a step.
    const steps: Record<string, StepResult> = Object.fromEntries((this.selectSteps.all(runId) as StepRow[]).map((stepRow) => [stepRow.step, stepFromRow(stepRow)]));
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
    const rows = this.historyStatement(pipeline !== undefined, status !== undefined).all(params) as RunRow[];
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
    return (this.selectEvents.all(runId) as string[]).map((body) => JSON.parse(body) as PipelineEvent);
  }

  getCache(key: string): CacheEntry | undefined {
    this.flush();
    const row = this.selectCache.get(key) as CacheRow | undefined;
    return row && cacheFromRow(row);
  }

  putCache(entry: CacheEntry): void {
    this.assertOpen();
    this.defer(this.upsertCache, cacheParams(entry));
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
    this.defer(this.waits.upsertWait, this.waits.waitParams(runId, step, seq, record));
    if (consumes !== undefined) this.defer(this.waits.consumeSignal, [consumes]);
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

  private defer(statement: Statement, params: unknown[]): void {
    this.pending.push([statement, params]);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After the current turn's microtasks: a chain of quick steps shares one commit for its progress.
    setImmediate(() => {
      this.flushQueued = false;
      if (this.closed || this.pending.length === 0) return;
      try {
        this.commitPending(undefined);
      } catch (error) {
        this.deferredError = error;
      }
    });
  }

  /** Commits pending writes now; throws a deferred commit's failure once. */
  private flush(): void {
    this.assertOpen();
    if (this.pending.length > 0) this.commitPending(undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new SqliteStoreError('STORE_CLOSED', `The SqliteStore on ${this.path} is closed.`, { path: this.path });
    if (this.deferredError !== undefined) {
      const error = this.deferredError;
      this.deferredError = undefined;
      throw error;
    }
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
    const row = this.selectCounters.get({ runId }) as { found: number | null; seq: number; position: number };
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
    this.insertArtifact.run(ref.id, ref.runId, ref.step, ref.name, ref.hash, ref.size, createdAt);
  }

  private historyStatement(byPipeline: boolean, byStatus: boolean): Statement {
    const key = `${byPipeline ? 'p' : ''}${byStatus ? 's' : ''}`;
    let statement = this.historyStatements.get(key);
    if (statement === undefined) {
      const where = [byPipeline ? 'pipeline = ?' : undefined, byStatus ? 'status = ?' : undefined].filter(Boolean).join(' AND ');
      statement = this.db.prepare(
        `SELECT ${RUN_COLUMNS} FROM runs ${where === '' ? '' : `WHERE ${where}`} ORDER BY started_at DESC, rowid DESC LIMIT ?`,
      );
      this.historyStatements.set(key, statement);
    }
    return statement;
  }
}
