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
  /** Makes every staged write durable, atomically; throws (or rejects) if it cannot. */
  commit(): Awaitable<void>;
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
  /** Releases files, connections and timers. */
  close(): Promise<void>;
}
