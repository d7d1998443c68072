import type { PipelineEvent } from '../engine/events';
import type { ArtifactRef, ErrorInfo, RunStatus, StepResult } from '../engine/results';
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

/**
 * Where runs, steps, outputs and artifacts are kept. Writes are synchronous so that the
 * engine can commit every state change before it publishes the event for it; embedded
 * stores (memory, SQLite) answer at once.
 */
export interface RunStore {
  /** Bytes of artifacts. */
  readonly artifacts: ArtifactStore;
  /**
   * `true` when what is saved outlives the process: outputs must then be JSON-serializable,
   * and a step whose output is not fails with an error naming the offending path.
   */
  readonly durable: boolean;
  /**
   * `true` when `saveStep` keeps the result object itself (and so sees later changes to it):
   * the engine then saves each step once instead of on every status change.
   */
  readonly keepsReferences?: boolean;
  /**
   * Records a run that starts. `resume()` calls it again with the same `runId`: the run's
   * record is replaced and the steps already saved for it are kept.
   */
  beginRun(run: RunRecord): void;
  /** Records a step's current state (called on every status change). */
  saveStep(runId: string, step: string, result: StepResult): void;
  /** Records how a run ended. */
  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void;
  /** Journals an event after the state change it reports is saved; optional. */
  appendEvent?(event: PipelineEvent): void;
  /**
   * Makes every write so far durable. A store that has it may defer its writes: the engine then
   * journals the events of one synchronous turn, calls `commit()` once, and only then publishes
   * them, so no subscriber sees an event a crash could take back, at one commit per batch.
   */
  commit?(): void;
  /** A run with its steps, or `undefined`. */
  getRun(runId: string): StoredRun | undefined;
  /** Runs matching the query, newest first. */
  listRuns(query?: HistoryQuery): RunSummary[];
  /** The cached output under `key`, if any. */
  getCache(key: string): CacheEntry | undefined;
  /** Stores (or replaces) a cached output. */
  putCache(entry: CacheEntry): void;
  /**
   * Takes or renews the exclusive right to drive a run, for `ttlMs`, atomically. Returns the
   * lease that holds the run after the call: `holder`'s own when it got it, else the other
   * holder's unexpired one. With `takeOver`, a lease held by that owner is taken too (the engine
   * passes the owner of a lease whose process it found dead on this host). Stores shared
   * between processes must implement it.
   */
  acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver?: string): Lease;
  /** Gives a lease back (no-op if `owner` does not hold it). */
  releaseLease(runId: string, owner: string): void;
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
   * Records that the run should stop; the engine driving it (in any process) reads it with
   * {@link RunStore.readStopRequest} and stops the run. A later request replaces an earlier one.
   */
  requestStop?(runId: string, request: StopRequest): void | Promise<void>;
  /** The stop request recorded for a run, if any. */
  readStopRequest?(runId: string): StopRequest | undefined | Promise<StopRequest | undefined>;
  /** Releases files, connections and timers. */
  close(): Promise<void>;
}
