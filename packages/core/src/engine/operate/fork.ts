import type { Params } from '../../model/options';
import { EngineError } from '../../errors/errors';
import type { PipelineDefinition } from '../../metadata/pipeline-definition';
import type { StoredRun } from '../../ports/run-store';
import type { StepResult } from '../../model/results';
import type { RunHandle, RunOptions } from '../run-handle';
import { storedDefinition } from './stored-definition';

/** Options of `engine.fork()`. */
export interface ForkOptions extends Omit<RunOptions, 'params'> {
  /** The step to run again, with every step downstream of it. */
  readonly from: string;
  /** Parameters of the new run, over the forked run's own (same addressing as `run()`). */
  readonly params?: Params;
  /** Fork even if the pipeline's definition changed since the run began. */
  readonly force?: boolean;
}

/** What `fork()` needs of its engine. */
export interface ForkContext {
  /** Starts `definition` as a new run that keeps `steps` (the resume path); returns its handle. */
  launch(definition: PipelineDefinition, options: RunOptions, steps: Readonly<Record<string, StepResult>>): RunHandle;
}

/**
 * `engine.fork(runId, { from, params })`: a new run of the stored run's pipeline, with its input
 * params overridden by `params`. Steps that are neither `from` nor downstream of it keep their
 * results (they are written to the new run before it starts, so the fork can itself be resumed);
 * `from` and its descendants run again. Throws `RUN_NOT_FOUND`, `STEP_NOT_FOUND`,
 * `PIPELINE_NOT_FOUND`, `DEFINITION_CHANGED`, or a `ParameterError`.
 */
export const forkRun = (context: ForkContext, stored: StoredRun | undefined, runId: string, options: ForkOptions): RunHandle => {
  if (stored === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
  const { from, params, force, ...runOptions } = options;
  const definition = storedDefinition(stored.run, force === true);
  if (typeof from !== 'string' || !definition.graph.has(from)) {
    throw new EngineError(
      'STEP_NOT_FOUND',
      `Cannot fork run '${runId}' from step '${String(from)}': pipeline '${definition.name}' has no such step. Steps: ${definition.graph.order.join(', ')}.`,
      { runId, subject: String(from) },
    );
  }
  const rerun = definition.graph.descendants(from);
  rerun.add(from);
  const kept: Record<string, StepResult> = {};
  for (const [name, result] of Object.entries(stored.steps)) {
    if (definition.graph.has(name) && !rerun.has(name)) Object.defineProperty(kept, name, { value: result, enumerable: true });
  }
  // The new run records the kept steps under its own id, with its record, in its first commit.
  return context.launch(definition, { ...runOptions, params: { ...stored.run.input, ...params } }, kept);
};
