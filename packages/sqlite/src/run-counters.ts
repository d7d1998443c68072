import type { Statement } from './statements';

/** Where a run's journal and step order continue: kept in memory while the run is written. */
export interface RunCounters {
  seq: number;
  /** Counts saves; the upsert keeps a step's first, so steps read back in order of first save. */
  position: number;
}

/** The counters of the runs this store writes, read from the database the first time it writes one. */
export class RunCountersCache {
  private readonly runs = new Map<string, RunCounters>();

  constructor(
    private readonly select: Statement,
    /** Position of the run's last journaled event. */
    private readonly lastSeq: (runId: string) => number,
    /** Commits pending writes first, so the database has what this process wrote. */
    private readonly flush: () => void,
    private readonly unknownRun: (runId: string) => Error,
  ) {}

  /** The run's counters; with `required`, a run never begun is an error, else `undefined`. */
  of(runId: string, required: boolean): RunCounters | undefined {
    const known = this.runs.get(runId);
    if (known !== undefined) return known;
    this.flush();
    const row = this.select.get({ runId }) as { found: number | null; position: number };
    if (row.found === null) {
      if (required) throw this.unknownRun(runId);
      return undefined;
    }
    const counters: RunCounters = { seq: this.lastSeq(runId), position: row.position };
    this.runs.set(runId, counters);
    return counters;
  }

  /** A run that (re)starts: its journal continues where it stopped, or from nothing. */
  begin(runId: string): void {
    this.runs.set(runId, this.of(runId, false) ?? { seq: 0, position: 0 });
  }

  /** The run ended: its counters are not needed any more. */
  forget(runId: string): void {
    this.runs.delete(runId);
  }
}
