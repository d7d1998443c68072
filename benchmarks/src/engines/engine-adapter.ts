import type { Probe } from '../probe';
import type { Workload } from '../workload';

/** The engines compared in one run. */
export type EngineName = 'promise-floor' | 'p-graph' | 'pipewright';

/** Where Pipewright keeps the run; the other engines keep nothing and report `memory`. */
export type StoreName = 'memory' | 'sqlite' | 'postgres';

/** What one timed run leaves for the (untimed) correctness check. */
export interface RunOutcome {
  /** The final output of step `i`. */
  outputOf(i: number): unknown;
  /** Releases what the run holds (an engine, a database file); not timed. */
  dispose?(): Promise<void>;
}

/** A workload made ready for one engine: `run()` is what the benchmark times. */
export interface PreparedRun {
  run(): Promise<RunOutcome>;
  /** Releases what `prepare` made for every run (a database); called once after the last run, not timed. */
  close?(): Promise<void>;
}

/** One engine × store, able to prepare any workload. */
export interface EngineAdapter {
  readonly engine: EngineName;
  readonly store: StoreName;
  /** Builds whatever the engine builds once per pipeline (a definition, a graph); not timed. */
  prepare(workload: Workload, probe: Probe): PreparedRun;
}
