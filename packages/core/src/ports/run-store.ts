import type { PipelineEvent } from '../model/events';
import type { ArtifactRef, ErrorInfo, RunStatus, StepResult } from '../model/results';
import type { ArtifactStore } from './artifact-store';

/** A run as a store keeps it. `status` is `running` until the run ends. */
export interface RunRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  /** Resolved pipeline parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The run's parameters as given (top-level and `'step.param'`), so `resume()` can replay them. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Per step, a hash of its code, template and parents: `resume()` refuses when these changed. */
  readonly fingerprint: Readonly<Record<string, string>>;
  readonly status: RunStatus | 'running';
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly error: ErrorInfo | undefined;
}

/** One line of `engine.history()`. */
export interface RunSummary {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly status: RunStatus | 'running';
  readonly startedAt: number;
  readonly endedAt: number | undefined;
}

/** Filters of `engine.history()`; newest first. */
export interface HistoryQuery {
  readonly pipeline?: string;
  readonly status?: RunStatus | 'running';
  readonly limit?: number;
}

/** A cached step output (see the `cache` step option). */
export interface CacheEntry {
  readonly key: string;
  readonly pipeline: string;
  readonly step: string;
  readonly output: unknown;
  readonly artifacts: Readonly<Record<string, ArtifactRef>>;
  readonly createdAt: number;
}

/** Who drives a run: an engine in a process on a host. */
export interface LeaseHolder {
  /** Unique per engine: `<host>:<pid>:<random>`. */
  readonly owner: string;
  /** `os.hostname()` of the driving process. */
  readonly host: string;
  /** Process id of the driving process on `host`. */
  readonly pid: number;
}

/** A run's lease as the store keeps it. */
export interface Lease extends LeaseHolder {
  /** Epoch ms after which the lease is free unless renewed. */
  readonly expiresAt: number;
}

/** An event of a run's journal with its position in it (from 1). */
export interface JournalEntry {
  readonly seq: number;
  readonly event: PipelineEvent;
}

/** A request, recorded in the store, that the engine driving a run stop it. */
export interface StopRequest {
  readonly reason: string;
  readonly requestedAt: number;
}

/** A signal recorded for a run (`engine.signal`), kept until a `ctx.waitFor` of its name consumes it. */
export interface SignalRecord {
  /** Unique in its run, increasing in the order signals were sent: the oldest is consumed first. */
  readonly id: number;
  readonly name: string;
  /** JSON: the store keeps it as JSON and gives it back parsed. */
  readonly payload: unknown;
  readonly sentAt: number;
}

/**
 * The outcome of one durable wait of a step: the `seq`-th `ctx.waitFor` / `ctx.sleep` call of the
 * step's attempt (from 0). A re-run of the step (after a crash, or a retry) gets the same record
 * for the same call, so it continues at once with what the first run was given.
 */
export type WaitRecord =
  | { readonly kind: 'signal'; readonly name: string; readonly payload: unknown; readonly deliveredAt: number }
  | { readonly kind: 'sleep'; readonly until: number };

/** A stored `WaitRecord` with its position among the step's waits. */
export interface StepWait {
  readonly seq: number;
  readonly record: WaitRecord;
}

/** A cron schedule as the store keeps it (`engine.schedule`); the controllers serving it share its id. */
export interface ScheduleRecord {
  readonly id: string;
  readonly pipeline: string;
  readonly version: string;
  /** Cron expression: 5 fields, or 6 with seconds first. */
  readonly cron: string;
  /** IANA time zone the cron is read in; `undefined` for the controller's local zone. */
  readonly timezone: string | undefined;
  /** Run parameters of every run it fires (JSON). */
  readonly params: Readonly<Record<string, unknown>>;
  /** When it was first registered: ticks before it are never fired. */
  readonly createdAt: number;
  /** When a controller last registered or served it. */
  readonly seenAt: number;
}

/** A schedule with the last tick that was fired. */
export interface StoredSchedule extends ScheduleRecord {
  /** The cron time (epoch ms) of the latest claimed tick, if any. */
  readonly lastTickAt: number | undefined;
  /** The run that tick started. */
  readonly lastRunId: string | undefined;
}

/** A stored run with its steps. */
export interface StoredRun {
  readonly run: RunRecord;
  readonly steps: Readonly<Record<string, StepResult>>;
}

/** A value, or a promise of it: a synchronous store answers at once, an asynchronous one later. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Where runs, steps, outputs and artifacts are kept: the port every store implements (memory,
 * SQLite, Postgres), checked by one shared contract suite.
 *
 * Writes (`beginRun`, `saveStep`, `endRun`, `appendEvent`, `putCache`) are staged; `commit()`
 * makes everything staged durable. The engine stages the changes of one synchronous turn, calls
 * `commit()` once, and releases their consequences (events, child steps, callbacks) only after
 * it: so nothing that depends on a change happens before the change is saved. A synchronous
 * store (memory, SQLite) commits and answers reads at once, and keeps the engine's fast path; an
 * asynchronous one (Postgres) returns promises, which the engine awaits.
 */
export interface RunStore {
  /** Bytes of artifacts. */
  readonly artifacts: ArtifactStore;
  /** `true` when what is saved outlives the process (runs can be resumed and must hold leases). */
  readonly durable: boolean;
  /**
   * `true` for a store whose `commit()`, reads and leases return promises (Postgres): runs on it
   * start with `await engine.begin(...)` (or `engine.run`), since `start()` must not hand out a run
   * id before the run's record is durable.
   */
  readonly asynchronous?: boolean;
  /**
   * `true` for a store that commits every write as it is staged (memory): `commit()` has nothing
   * left to do, so the engine publishes an event as soon as it is journaled rather than at the
   * end of the turn (child steps and other reactions still wait for the end of the turn).
   */
  readonly commitsOnWrite?: boolean;
  /**
   * `false` only for a store that keeps outputs as they are, JSON or not
   * (`new MemoryStore({ jsonOutputs: false })`). Otherwise a step whose output is not
   * JSON-serializable fails with `NOT_SERIALIZABLE` naming the offending path, in tests as in production.
   */
  readonly jsonOutputs?: boolean;
  /**
   * `true` when `saveStep` keeps the result object itself (and so sees later changes to it):
   * the engine then saves each step once instead of on every status change.
   */
  readonly keepsReferences?: boolean;
  /**
   * Stages a run that starts. `resume()` calls it again with the same `runId`: the run's
   * record is replaced and the steps already saved for it are kept.
   */
  beginRun(run: RunRecord): void;
  /** Stages a step's current state (called on status changes). */
  saveStep(runId: string, step: string, result: StepResult): void;
  /** Stages how a run ended. */
  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void;
  /** Stages an event in the run's journal, after the state change it reports. */
  appendEvent?(event: PipelineEvent): void;
  /** Stages (or replaces) a cached output. */
  putCache(entry: CacheEntry): void;
  /**
   * Makes every staged write durable, atomically; throws (or rejects) if it cannot. The engine
   * names the run whose turn it commits: a store that sends several runs' writes together
   * (Postgres) then rejects for that run once a commit carrying its writes failed, even if the
   * commit this call waits for succeeds, until the run is begun again (`resume`).
   */
  commit(runId?: string): Awaitable<void>;
  /** A run with its steps, or `undefined`. */
  getRun(runId: string): Awaitable<StoredRun | undefined>;
  /** Runs matching the query, newest first; `limit` is an integer ≥ 0 (the engine checks it). */
  listRuns(query?: HistoryQuery): Awaitable<RunSummary[]>;
  /** The cached output under `key`, if any. */
  getCache(key: string): Awaitable<CacheEntry | undefined>;
  /**
   * Takes or renews the exclusive right to drive a run, for `ttlMs`, atomically. Returns the
   * lease that holds the run after the call: `holder`'s own when it got it, else the other
   * holder's unexpired one. With `takeOver`, a lease held by that owner is taken too (the engine
   * passes the owner of a lease whose process it found dead on this host). Stores shared
   * between processes must implement it.
   */
  acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver?: string): Awaitable<Lease>;
  /** Gives a lease back (no-op if `owner` does not hold it). */
  releaseLease(runId: string, owner: string): Awaitable<void>;
  // The members below are optional so that stores written before them still type-check; the
  // memory and SQLite stores implement them all, and `engine.watch`, `recover`, `stopRun` and
  // the `interrupted` mark of `pipewright runs` rely on them.
  /** The run's lease, expired or not, or `undefined` when nobody holds one. */
  readLease?(runId: string): Lease | undefined | Promise<Lease | undefined>;
  /**
   * The run's journal after position `afterSeq` (0 for all of it), in order. Stores that
   * journal events (`appendEvent`) implement it; another process follows a run through it.
   */
  readEvents?(runId: string, afterSeq: number): readonly JournalEntry[] | Promise<readonly JournalEntry[]>;
  /**
   * Calls `onAppend` whenever a commit (of any process) journals events of the run, and returns
   * how to stop: `engine.watch` then reads the journal at once instead of at its next poll
   * (Postgres: LISTEN/NOTIFY). A store without it is polled.
   */
  subscribeEvents?(runId: string, onAppend: () => void): () => void;
  /**
   * Records that the run should stop; the engine driving it (in any process) reads it with
   * {@link RunStore.readStopRequest} and stops the run. A later request replaces an earlier one.
   */
  requestStop?(runId: string, request: StopRequest): void | Promise<void>;
  /** The stop request recorded for a run, if any. */
  readStopRequest?(runId: string): StopRequest | undefined | Promise<StopRequest | undefined>;
  // Durable waits (`ctx.waitFor`, `ctx.sleep`, `engine.signal`): optional, like the members above;
  // `ctx.waitFor` fails with `WAIT_NOT_SUPPORTED` on a store without `sendSignal`, and sleeps are
  // not durable on a store without `saveWait`.
  /**
   * Records a signal for a run, durably at once (not staged: it usually comes from another
   * process than the run's driver). Signals are kept, in order, until consumed by `saveWait`;
   * several of one name are consumed one per `waitFor`. The engine has checked that the run exists
   * and is `running`, and that the payload is JSON.
   */
  sendSignal?(runId: string, name: string, payload: unknown, sentAt: number): void | Promise<void>;
  /** The oldest signal `name` of the run not consumed yet, or `undefined` (committed state). */
  readSignal?(runId: string, name: string): SignalRecord | undefined | Promise<SignalRecord | undefined>;
  /**
   * Stages the outcome of the `seq`-th wait of a step (replacing one of the same `seq`). With
   * `consumes`, the same commit consumes that signal (see {@link RunStore.readSignal}): a
   * delivered signal and its consumption are durable together or not at all.
   */
  saveWait?(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void;
  /** The step's recorded waits, by `seq` ascending (committed state). */
  readWaits?(runId: string, step: string): readonly StepWait[] | Promise<readonly StepWait[]>;
  // Schedules (`engine.schedule`, `pipewright schedules`).
  /**
   * Registers a schedule, durably at once: inserts it, or updates its definition and `seenAt`
   * while keeping its first `createdAt`. Returns the record as stored (with that `createdAt`).
   */
  saveSchedule?(schedule: ScheduleRecord): ScheduleRecord | Promise<ScheduleRecord>;
  /** Every schedule, by id, with its latest claimed tick. */
  listSchedules?(): readonly StoredSchedule[] | Promise<readonly StoredSchedule[]>;
  /**
   * Claims one tick of a schedule, durably at once, for the run `runId` that `owner` will start:
   * `true` for exactly one caller per `(scheduleId, tickAt)`, across every process sharing the
   * store (an `INSERT … ON CONFLICT DO NOTHING`), `false` for every other.
   */
  claimTick?(scheduleId: string, tickAt: number, owner: string, runId: string): boolean | Promise<boolean>;
  /** Releases files, connections and timers. */
  close(): Promise<void>;
}
