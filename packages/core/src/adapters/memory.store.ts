import type { ErrorInfo, RunStatus, StepResult } from '../model/results';
import type { ArtifactStore } from '../ports/artifact-store';
import { MemoryArtifactStore } from './memory-artifact.store';
import { MemoryJournal } from './memory-journal';
import { FinishedRuns } from './finished-runs';
import { MemoryWaits } from './memory-waits';
import type { PipelineEvent } from '../model/events';
import { putOwn } from '../model/own-record';
import type {
  CacheEntry,
  HistoryQuery,
  JournalEntry,
  Lease,
  LeaseHolder,
  RunRecord,
  RunStore,
  RunSummary,
  ScheduleRecord,
  SignalRecord,
  StepWait,
  StopRequest,
  StoredRun,
  StoredSchedule,
  WaitRecord,
} from '../ports/run-store';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Finished runs kept for `history()`; those that finished first are forgotten first. Default 100. */
  readonly maxRuns?: number;
  /** Where artifact bytes go; memory by default. */
  readonly artifacts?: ArtifactStore;
  /**
   * Whether step outputs must be JSON-serializable, as in every durable store (default `true`), so
   * that code tested on memory behaves the same on SQLite, Postgres or agents. `false` keeps any value.
   */
  readonly jsonOutputs?: boolean;
  /**
   * Keep each run's journal of events, so `engine.watch(runId)` can replay a run's events so far
   * (and a finished run's). Default `false`: a live run's events then cost nothing once published,
   * and `watch` follows a live run from the moment it subscribes.
   */
  readonly journal?: boolean;
}

interface Entry {
  run: RunRecord;
  /**
   * Every save, in order, as two parallel lists (a later save of a name wins when read). Not a
   * `Map`: a run of 100 000 steps saves 100 000 names, and a map insert cost each step ≈ 1 µs
   * while reads (`getRun`) are rare.
   */
  readonly names: string[];
  readonly results: StepResult[];
}

/**
 * The default store: runs in memory, bounded so a long-lived engine keeps steady memory.
 * Step results are kept by reference, so saving a step costs one map write.
 */
export class MemoryStore implements RunStore {
  readonly artifacts: ArtifactStore;
  readonly durable = false;
  readonly keepsReferences = true;
  readonly commitsOnWrite: boolean = true;
  readonly jsonOutputs: boolean;
  private readonly maxRuns: number;
  private readonly runs = new Map<string, Entry>();
  private readonly finished = new FinishedRuns();
  private readonly cache = new Map<string, CacheEntry>();
  private readonly leases = new Map<string, Lease>();
  private readonly stopRequests = new Map<string, StopRequest>();
  private readonly waits = new MemoryWaits();
  /** The run saved to last: runs save many steps in a row. */
  private last: Entry | undefined;
  private readonly journal: MemoryJournal | undefined;
  /** Present only with `journal: true` (the engine asks whether a store keeps a journal by their presence). */
  readonly appendEvent?: (event: PipelineEvent) => void;
  readonly readEvents?: (runId: string, afterSeq: number) => readonly JournalEntry[];

  constructor(options: MemoryStoreOptions = {}) {
    this.maxRuns = options.maxRuns ?? 100;
    this.artifacts = options.artifacts ?? new MemoryArtifactStore();
    this.jsonOutputs = options.jsonOutputs ?? true;
    if (options.journal === true) {
      const journal = (this.journal = new MemoryJournal());
      this.appendEvent = (event) => journal.append(event);
      this.readEvents = (runId, afterSeq) => journal.read(runId, afterSeq);
    }
  }

  /** Writes are applied as they are staged: nothing to make durable in memory. */
  commit(): void {}

  beginRun(run: RunRecord): void {
    const known = this.runs.get(run.runId);
    if (known !== undefined && known.run.status !== 'running') this.finished.resumed();
    if (run.status !== 'running') this.finished.finished(run.runId);
    this.runs.set(run.runId, { run, names: known?.names ?? [], results: known?.results ?? [] });
    this.last = undefined;
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    // Results are kept by reference: once a step's object is in, later saves change nothing.
    let entry = this.last;
    if (entry?.run.runId !== runId) entry = this.last = this.runs.get(runId);
    if (entry === undefined) return;
    // The engine saves a step's result object once (keepsReferences): later changes are already in.
    const last = entry.results.length - 1;
    if (last >= 0 && entry.results[last] === result && entry.names[last] === step) return;
    entry.names.push(step);
    entry.results.push(result);
  }

  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    if (entry.run.status === 'running') this.finished.finished(runId);
    entry.run = { ...entry.run, status, endedAt, error };
    this.stopRequests.delete(runId);
    this.last = undefined;
    this.evict();
  }

  getRun(runId: string): StoredRun | undefined {
    const entry = this.runs.get(runId);
    if (entry === undefined) return undefined;
    const steps: Record<string, StepResult> = {};
    const { names, results } = entry;
    for (let index = 0; index < names.length; index++) putOwn(steps, names[index] as string, results[index] as StepResult);
    return { run: entry.run, steps };
  }

  listRuns(query: HistoryQuery = {}): RunSummary[] {
    const matching: RunSummary[] = [];
    for (const { run } of this.runs.values()) {
      if (query.pipeline !== undefined && run.pipeline !== query.pipeline) continue;
      if (query.status !== undefined && run.status !== query.status) continue;
      const { runId, pipeline, version, status, startedAt, endedAt } = run;
      matching.push({ runId, pipeline, version, status, startedAt, endedAt });
    }
    matching.reverse(); // insertion order is start order
    return query.limit === undefined ? matching : matching.slice(0, query.limit);
  }

  getCache(key: string): CacheEntry | undefined {
    return this.cache.get(key);
  }

  putCache(entry: CacheEntry): void {
    this.cache.set(entry.key, entry);
  }

  acquireLease(runId: string, holder: LeaseHolder, ttlMs: number, takeOver?: string): Lease {
    const now = Date.now();
    const lease = this.leases.get(runId);
    if (lease && lease.owner !== holder.owner && lease.owner !== takeOver && lease.expiresAt > now) return lease;
    const taken: Lease = { owner: holder.owner, host: holder.host, pid: holder.pid, expiresAt: now + ttlMs };
    this.leases.set(runId, taken);
    return taken;
  }

  releaseLease(runId: string, owner: string): void {
    if (this.leases.get(runId)?.owner === owner) this.leases.delete(runId);
  }

  readLease(runId: string): Lease | undefined {
    return this.leases.get(runId);
  }

  requestStop(runId: string, request: StopRequest): void {
    if (this.runs.get(runId)?.run.status === 'running') this.stopRequests.set(runId, request);
  }

  readStopRequest(runId: string): StopRequest | undefined {
    return this.stopRequests.get(runId);
  }

  sendSignal(runId: string, name: string, payload: unknown, sentAt: number): void {
    this.waits.sendSignal(runId, name, payload, sentAt);
  }

  readSignal(runId: string, name: string): SignalRecord | undefined {
    return this.waits.readSignal(runId, name);
  }

  saveWait(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void {
    this.waits.saveWait(runId, step, seq, record, consumes);
  }

  readWaits(runId: string, step: string): StepWait[] {
    return this.waits.readWaits(runId, step);
  }

  saveSchedule(schedule: ScheduleRecord): ScheduleRecord {
    return this.waits.saveSchedule(schedule);
  }

  listSchedules(): StoredSchedule[] {
    return this.waits.listSchedules();
  }

  claimTick(scheduleId: string, tickAt: number, owner: string, runId: string): boolean {
    return this.waits.claimTick(scheduleId, tickAt, owner, runId);
  }

  close(): Promise<void> {
    this.last = undefined;
    this.waits.clear();
    this.runs.clear();
    this.cache.clear();
    this.leases.clear();
    this.stopRequests.clear();
    this.journal?.clear();
    return Promise.resolve();
  }

  private evict(): void {
    this.finished.evict(this.maxRuns, this.forgetFinished);
  }

  /** Drops a run that is finished (not one resumed since); says whether it did. */
  private readonly forgetFinished = (runId: string): boolean => {
    if (this.runs.get(runId)?.run.status === 'running' || !this.runs.delete(runId)) return false;
    this.journal?.forget(runId);
    this.waits.forgetRun(runId);
    return true;
  };
}
