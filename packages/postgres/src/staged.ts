import type { ErrorInfo } from '@pipewright/core';
import type { CacheRow, EventRow, RunRow, StepRow } from './rows';

/** How a run ended, for a run whose record is not in the same batch. */
export interface EndRow {
  readonly run_id: string;
  readonly status: string;
  readonly ended_at: number;
  readonly error: string | null;
}

/** What one commit sends: at most one write per row, so one statement can apply them all. */
export interface Batch {
  readonly runs: RunRow[];
  readonly ends: EndRow[];
  readonly steps: StepRow[];
  readonly events: EventRow[];
  readonly cache: CacheRow[];
  /** Runs whose stop request is cleared (they ended). */
  readonly stops: Array<{ readonly run_id: string }>;
  readonly waits: WaitRow[];
  /** Signals consumed by the batch's waits (deleted in the same statement). */
  readonly consumed: Array<{ readonly id: number }>;
}

/** A `step_waits` row: the record is encoded when staged, as a step's result is. */
export interface WaitRow {
  readonly run_id: string;
  readonly step: string;
  readonly seq: number;
  readonly record: string;
}

/** A batch with the runs whose writes it carries (not sent: only the batch is). */
export interface Taken {
  readonly batch: Batch;
  readonly runs: ReadonlySet<string>;
}

/**
 * The writes staged since the last commit. Later writes to the same row replace earlier ones
 * (a step saved four times in a turn is one row), so a batch never touches a row twice.
 * Staging is shared by every run of the store, so it keeps which run staged what: a run whose
 * commit failed has its writes taken back ({@link Staged.discard}).
 */
export class Staged {
  private runs = new Map<string, RunRow>();
  private ends = new Map<string, EndRow>();
  private steps = new Map<string, StepRow>();
  private events: EventRow[] = [];
  private cache = new Map<string, CacheRow>();
  private waits = new Map<string, WaitRow>();
  /** Consumed signal ids, with the run whose wait consumes them. */
  private consumed = new Map<number, string>();
  private touched = new Set<string>();

  get empty(): boolean {
    const waits = this.waits.size === 0 && this.consumed.size === 0;
    return waits && this.runs.size === 0 && this.ends.size === 0 && this.steps.size === 0 && this.events.length === 0 && this.cache.size === 0;
  }

  run(row: RunRow): void {
    // A run begun again (resume) starts over: an end staged before it is superseded.
    this.ends.delete(row.run_id);
    this.runs.set(row.run_id, row);
    this.touched.add(row.run_id);
  }

  end(runId: string, status: string, endedAt: number, error: ErrorInfo | undefined): void {
    const encoded = error === undefined ? null : JSON.stringify(error);
    const begun = this.runs.get(runId);
    if (begun !== undefined) this.runs.set(runId, { ...begun, status, ended_at: endedAt, error: encoded });
    else this.ends.set(runId, { run_id: runId, status, ended_at: endedAt, error: encoded });
    this.touched.add(runId);
  }

  step(row: StepRow): void {
    // A Map keeps the order of first insertion: steps first saved in this batch get positions in that order.
    this.steps.set(`${row.run_id}\0${row.step}`, row);
    this.touched.add(row.run_id);
  }

  event(row: EventRow): void {
    this.events.push(row);
    this.touched.add(row.run_id);
  }

  putCache(row: CacheRow): void {
    this.cache.set(row.key, row);
  }

  wait(row: WaitRow, consumes: number | undefined): void {
    this.waits.set(`${row.run_id}\0${row.step}\0${row.seq}`, row);
    if (consumes !== undefined) this.consumed.set(consumes, row.run_id);
    this.touched.add(row.run_id);
  }

  /**
   * Takes back everything the run staged (not its cache entries: they name no run, and an
   * entry is a step's output whoever writes it).
   */
  discard(runId: string): void {
    if (!this.touched.delete(runId)) return;
    this.runs.delete(runId);
    this.ends.delete(runId);
    const prefix = `${runId}\0`;
    for (const key of this.steps.keys()) if (key.startsWith(prefix)) this.steps.delete(key);
    for (const key of this.waits.keys()) if (key.startsWith(prefix)) this.waits.delete(key);
    for (const [id, owner] of this.consumed) if (owner === runId) this.consumed.delete(id);
    this.events = this.events.filter((row) => row.run_id !== runId);
  }

  /** Hands over everything staged and starts afresh. */
  take(): Taken {
    const ended = new Set<string>(this.ends.keys());
    for (const row of this.runs.values()) if (row.status !== 'running') ended.add(row.run_id);
    const batch: Batch = {
      runs: [...this.runs.values()],
      ends: [...this.ends.values()],
      steps: [...this.steps.values()],
      events: this.events,
      cache: [...this.cache.values()],
      stops: [...ended].map((run_id) => ({ run_id })),
      waits: [...this.waits.values()],
      consumed: [...this.consumed.keys()].map((id) => ({ id })),
    };
    const runs = this.touched;
    this.runs = new Map();
    this.ends = new Map();
    this.steps = new Map();
    this.events = [];
    this.cache = new Map();
    this.waits = new Map();
    this.consumed = new Map();
    this.touched = new Set();
    return { batch, runs };
  }
}
