import type { Observable } from 'rxjs';
import type { HistoryQuery, PipelineEvent, RunHandle, RunSummary, StoredRun } from '@pipewright/core';

/** Options of {@link DashboardEngine.fork}: DESIGN.md "Operating runs". */
export interface DashboardForkOptions {
  /** The step to run again, with its descendants. */
  readonly from: string;
  /** Parameter overrides for the new run (top-level and `'step.param'`). */
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * The part of `Engine` the dashboard uses: a structural type, so any engine with these members
 * (the real `Engine`, or a wrapper a service puts around it) can be given to `createDashboard`.
 *
 * The operating members (`watch`, `stopRun`, `fork`) follow DESIGN.md "Operating runs". An
 * engine without one of them gets a dashboard without that feature: no live updates, no Stop
 * button, no Rerun button; the API answers 501 for it.
 */
export interface DashboardEngine {
  /** Runs kept by the store, newest first. */
  history(query?: HistoryQuery): Promise<RunSummary[]>;
  /** One stored run with its steps; rejects with `RUN_NOT_FOUND`. */
  inspect(runId: string): Promise<StoredRun>;
  /** Continues a stored run under its id (the Resume button). */
  startResume(runId: string): RunHandle;
  /** The run's journal so far, then its live events; completes after the final `run.*` event. */
  watch?(runId: string): Observable<PipelineEvent>;
  /** Stops a run driven by this or another process on the store (the Stop button). */
  stopRun?(runId: string, reason?: string): Promise<unknown>;
  /** A new run from a stored one, re-running `from` and its descendants (the Rerun button). */
  fork?(runId: string, options: DashboardForkOptions): RunHandle;
}
