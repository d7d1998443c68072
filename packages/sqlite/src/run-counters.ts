/** Where a run's journal and step order continue: kept in memory while the run is written. */
export interface RunCounters {
  /** Position of the run's last journaled event. */
  seq: number;
  /** Position of the run's last new step: steps read back in order of first save. */
  position: number;
  /** The position of each step saved so far: a step keeps its row. */
  readonly positions: Map<string, number>;
}

/** The counters of the runs this store writes, read from the database the first time it writes one. */
export class RunCountersCache {
  private readonly runs = new Map<string, RunCounters>();

  constructor(
    /** The run's counters as the database has them, `undefined` when the run is not there. */
    private readonly read: (runId: string) => RunCounters | undefined,
    /** Commits pending writes first, so the database has what this process wrote. */
    private readonly flush: () => void,
    private readonly unknownRun: (runId: string) => Error,
  ) {}

  /** The run's counters; with `required`, a run never begun is an error, else `undefined`. */
  of(runId: string, required: boolean): RunCounters | undefined {
    const known = this.runs.get(runId);
    if (known !== undefined) return known;
    this.flush();
    const counters = this.read(runId);
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
