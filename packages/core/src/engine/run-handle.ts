import type { Observable } from 'rxjs';
import type { Params } from '../model/options';
import type { PipelineGraph } from '../graph/pipeline-graph';
import type { PipelineEvent } from '../model/events';
import type { RunResult, RunStatus, StepResult } from '../model/results';
import type { StepContext } from '../model/step-context';

/** Options of `engine.run()` and `engine.start()`. */
export interface RunOptions {
  /** Top-level names override pipeline params; `'step.param'` overrides one step's parameter. */
  readonly params?: Params;
  /** Most steps in flight at once; overrides the pipeline's `concurrency`. */
  readonly concurrency?: number;
  /** Aborting it stops the run, like `stop()`. */
  readonly signal?: AbortSignal;
  /** Runs when a step is created, before it is queued; `false` skips the step. */
  readonly onStepCreated?: (ctx: StepContext) => unknown;
  /** Runs once per step that ran or was cached, whatever its outcome; never for skipped steps. */
  readonly onStepCompleted?: (ctx: StepContext, result: StepResult) => unknown;
  /** Steps whose cache entries are ignored and replaced in this run, or `true` for all. */
  readonly refreshCache?: readonly string[] | boolean;
}

/** Where a run is: `pending` until it starts on the next microtask, then `running`, then how it ended. */
export type RunHandleStatus = 'pending' | 'running' | RunStatus;

/** A run in progress: ClearML's `start()` / `wait()` / `stop()` / `get_running_nodes()`. */
export interface RunHandle {
  /** The run's id (21 alphanumeric characters). */
  readonly id: string;
  /**
   * Every event of the run, in order. A subscriber that subscribes in the same tick as
   * `start()` sees the whole sequence from `run.started`; it completes right after the final
   * `run.*` event and never errors.
   */
  readonly events$: Observable<PipelineEvent>;
  /** Resolves with the result when the run ends, whatever its status; never rejects. */
  readonly result: Promise<RunResult>;
  readonly status: RunHandleStatus;
  /** The DAG as it stands, spawned steps included. */
  readonly graph: PipelineGraph;
  /** Names of the steps running now. */
  running(): string[];
  /** Aborts running steps (`RUN_STOPPED`), skips the rest, and resolves with the `aborted` result. */
  stop(reason?: string): Promise<RunResult>;
}
