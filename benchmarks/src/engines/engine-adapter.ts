import type { Probe } from '../probe';
import type { Workload } from '../workload';

/** The engines compared in one run. */
export type EngineName = 'promise-floor' | 'p-graph' | 'pipewright';

/** Where Pipewright keeps the run; the other engines keep nothing and report `memory`. */
export type StoreName = 'memory' | 'sqlite' | 'postgres';

/** An engine with its store. */
export interface EngineChoice {
  readonly engine: EngineName;
  readonly store: StoreName;
}

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

/** How the runs of one measurement share what an engine builds. */
export interface PrepareOptions {
  /**
   * One engine (and store, and database file) built in `prepare` and used by every run, as a
   * service would; by default each run builds its own.
   */
  readonly longLived?: boolean;
}

/** One engine × store, able to prepare any workload. */
export interface EngineAdapter {
  readonly engine: EngineName;
  readonly store: StoreName;
  /** Builds whatever the engine builds once per pipeline (a definition, a graph); not timed. */
  prepare(workload: Workload, probe: Probe, options?: PrepareOptions): PreparedRun;
}
