import type { JournalTable } from './journal';
import type { StepTable } from './step-table';

/** Where a run's journal and step order continue: kept in memory while the run is written. */
export interface RunCounters {
  /** Position of the run's last journaled event. */
  seq: number;
  /** Position of the run's last new step: steps read back in order of first save. */
  position: number;
  /** The position of each step saved so far: a step keeps its row. */
  readonly positions: Map<string, number>;
}

/** The run's counters as the file has them, `undefined` when the run is not there: one read for a new run. */
const readCounters = (journal: JournalTable, steps: StepTable, runId: string): RunCounters | undefined => {
  const base = journal.baseOf(runId);
  if (base === undefined) return undefined;
  const positions = steps.positionsAt(base);
  let position = 0;
  for (const saved of positions.values()) position = Math.max(position, saved);
  return { seq: journal.lastSeqAt(base), position, positions };
};

/** The counters of the runs this store writes, read from the database the first time it writes one. */
export class RunCountersCache {
  private readonly runs = new Map<string, RunCounters>();

  constructor(
    private readonly journal: JournalTable,
    private readonly steps: StepTable,
    /** Commits what this process staged of the run, so the file has it. */
    private readonly flush: (runId: string) => void,
    private readonly unknownRun: (runId: string) => Error,
  ) {}

  /** The run's counters; with `required`, a run never begun is an error, else `undefined`. */
  of(runId: string, required: boolean): RunCounters | undefined {
    const known = this.runs.get(runId);
    if (known !== undefined) return known;
    this.flush(runId);
    const counters = readCounters(this.journal, this.steps, runId);
    if (counters === undefined) {
      if (required) throw this.unknownRun(runId);
      return undefined;
    }
    this.runs.set(runId, counters);
    return counters;
  }

  /** A run that (re)starts: its journal and steps continue where they stopped, or from nothing. */
  begin(runId: string): void {
    this.runs.set(runId, this.of(runId, false) ?? { seq: 0, position: 0, positions: new Map() });
  }

  /** The run ended: its counters are not needed any more. */
  forget(runId: string): void {
    this.runs.delete(runId);
  }
}
