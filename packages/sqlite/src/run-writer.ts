import type Database from 'better-sqlite3';
import type { ErrorInfo, PipelineEvent, RunRecord, RunStatus, StepResult } from '@pipewright/core';
import { SqliteStoreError } from './errors';
import { JournalTable } from './journal';
import { PendingWrites } from './pending-writes';
import type { Write } from './pending-writes';
import { eventJson, runParams, stepParams } from './rows';
import { RunCountersCache } from './run-counters';
import type { RunCounters } from './run-counters';
import { StepTable } from './step-table';
import type { Statement } from './statements';

/** The statements a run's record takes, prepared by the store. */
export interface RunStatements {
  readonly upsertRun: Statement;
  readonly endRun: Statement;
  /** Deletes a run's stop request (bound: run id): a run that ended has nothing to stop. */
  readonly clearStop: Statement;
}

/**
 * What the engine writes of its runs: their records, steps and journal, staged until a commit
 * ({@link PendingWrites}) and numbered in memory ({@link RunCountersCache}). A run fenced by a
 * failed commit stages nothing until it is begun again.
 */
export class RunWriter {
  readonly journal: JournalTable;
  readonly steps: StepTable;
  readonly writes: PendingWrites;
  /** Per run being written: where its journal and step order continue. */
  private readonly counters: RunCountersCache;
  /** Writes a step's row inside the commit; a run missing from the file fails it. */
  private readonly saveStepRow: Write;

  constructor(
    db: Database.Database,
    private readonly sql: RunStatements,
    private readonly path: string,
    isClosed: () => boolean,
  ) {
    this.journal = new JournalTable(db);
    this.steps = new StepTable(db);
    this.writes = new PendingWrites(
      db,
      path,
      (runId, first, last, events) => this.appendJournal(runId, first, last, events),
      isClosed,
      (runId) => this.counters.forget(runId),
    );
    this.saveStepRow = {
      run: (params) => {
        if (!this.steps.save(params)) throw this.unknownRun(params[params.length - 1] as string);
      },
    };
    const flushRun = (runId: string): void => {
      if (this.writes.carries(runId)) this.writes.settle();
    };
    this.counters = new RunCountersCache(this.journal, this.steps, flushRun, (runId) => this.unknownRun(runId));
  }

  begin(run: RunRecord): void {
    // Begun again after a failed commit: its writes count from here.
    this.writes.lift(run.runId);
    // A resumed run continues its journal and step order where they stopped.
    this.counters.begin(run.runId);
    this.writes.defer(this.sql.upsertRun, runParams(run), run.runId);
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    if (this.writes.fenced(runId)) return;
    const counters = this.counters.of(runId, true) as RunCounters;
    let position = counters.positions.get(step);
    if (position === undefined) counters.positions.set(step, (position = ++counters.position));
    // Encoded now: the engine updates result objects in place.
    this.writes.deferStep(this.saveStepRow, runId, step, stepParams(runId, step, position, result));
  }

  end(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    if (this.writes.fenced(runId)) return;
    this.writes.defer(this.sql.endRun, [status, endedAt, error === undefined ? null : JSON.stringify(error), runId], runId);
    this.writes.defer(this.sql.clearStop, [runId], runId);
  }

  appendEvent(event: PipelineEvent): void {
    // A fenced run's event takes no seq: its journal goes on without a gap when it is begun again.
    if (this.writes.fenced(event.runId)) return;
    const counters = this.counters.of(event.runId, true) as RunCounters;
    // Encoded before it takes a seq: an event that cannot be stored leaves no gap in the journal.
    const body = eventJson(event);
    this.writes.deferEvent(event.runId, ++counters.seq, body);
    // The run's last event: its counters are not needed any more.
    if (event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.aborted') this.counters.forget(event.runId);
  }

  private unknownRun(runId: string): SqliteStoreError {
    return new SqliteStoreError('UNKNOWN_RUN', `Cannot write to run '${runId}': the run was never begun in ${this.path}.`, { path: this.path });
  }

  /** Inside the commit's transaction: a run missing from the file fails the commit. */
  private appendJournal(runId: string, first: number, last: number, events: string): void {
    if (!this.journal.append(runId, first, last, events)) throw this.unknownRun(runId);
  }
}
