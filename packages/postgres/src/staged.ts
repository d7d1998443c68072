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

/**
 * The writes staged since the last commit. Later writes to the same row replace earlier ones
 * (a step saved four times in a turn is one row), so a batch never touches a row twice.
 */
export class Staged {
  private runs = new Map<string, RunRow>();
  private ends = new Map<string, EndRow>();
  private steps = new Map<string, StepRow>();
  private events: EventRow[] = [];
  private cache = new Map<string, CacheRow>();
  private waits = new Map<string, WaitRow>();
  private consumed = new Set<number>();

  get empty(): boolean {
    const waits = this.waits.size === 0 && this.consumed.size === 0;
    return waits && this.runs.size === 0 && this.ends.size === 0 && this.steps.size === 0 && this.events.length === 0 && this.cache.size === 0;
  }

  run(row: RunRow): void {
    // A run begun again (resume) starts over: an end staged before it is superseded.
    this.ends.delete(row.run_id);
    this.runs.set(row.run_id, row);
  }

  end(runId: string, status: string, endedAt: number, error: ErrorInfo | undefined): void {
    const encoded = error === undefined ? null : JSON.stringify(error);
    const begun = this.runs.get(runId);
    if (begun !== undefined) this.runs.set(runId, { ...begun, status, ended_at: endedAt, error: encoded });
    else this.ends.set(runId, { run_id: runId, status, ended_at: endedAt, error: encoded });
  }

  step(row: StepRow): void {
    // A Map keeps the order of first insertion: steps first saved in this batch get positions in that order.
    this.steps.set(`${row.run_id}\0${row.step}`, row);
  }

  event(row: EventRow): void {
    this.events.push(row);
  }

  putCache(row: CacheRow): void {
    this.cache.set(row.key, row);
  }

  wait(row: WaitRow, consumes: number | undefined): void {
    this.waits.set(`${row.run_id}\0${row.step}\0${row.seq}`, row);
    if (consumes !== undefined) this.consumed.add(consumes);
  }

  /** Hands over everything staged and starts afresh. */
  take(): Batch {
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
      consumed: [...this.consumed].map((id) => ({ id })),
    };
    this.runs = new Map();
    this.ends = new Map();
    this.steps = new Map();
    this.events = [];
    this.cache = new Map();
    this.waits = new Map();
    this.consumed = new Set();
    return batch;
  }
}
