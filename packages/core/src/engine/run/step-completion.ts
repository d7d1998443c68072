import type { ErrorInfo, StepStatus } from '../../model/results';
import { toErrorInfo } from '../error-info';
import type { Outcome } from './attempts';
import { isAbortError } from './attempts';
import { hasAfterCallbacks, runAfterCallbacks } from './hooks';
import type { RunCore } from './run-core';
import { unserializable } from './step-inputs';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';

/**
 * How a step's attempts become its recorded end: the outcome is checked (a status callback that
 * failed, an output JSON cannot keep), cached, passed through the after-callbacks, then recorded.
 * Shared by both ways a step runs (see `StepLifecycle`).
 */
export class StepCompletion {
  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
  ) {}

  /** Records the end of a step whose attempts ended with `outcome`. */
  end(state: StepState, outcome: Outcome, cacheKey: string | undefined): Promise<void> | undefined {
    const checked = this.check(state, outcome);
    if (checked.ok && cacheKey !== undefined) {
      const { core } = this;
      core.store.putCache({ key: cacheKey, pipeline: core.definition.name, step: state.name, output: checked.value, artifacts: { ...state.result.artifacts }, createdAt: Date.now() });
    }
    if (checked.ok) return this.complete(state, 'succeeded', checked.value, undefined);
    return this.complete(state, isAbortError(checked.error) ? 'aborted' : 'failed', undefined, toErrorInfo(checked.error));
  }

  /** Runs after-callbacks, then records the step's end; synchronous when there are none. */
  complete(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined): Promise<void> | undefined {
    if (!hasAfterCallbacks(this.core, state)) {
      this.status.finish(state, status, output, error);
      return undefined; // no promise for the common case: one fewer per step
    }
    return this.completeWithCallbacks(state, status, output, error);
  }

  /** A success stands only if no status callback failed and the output can be kept as JSON. */
  private check(state: StepState, outcome: Outcome): Outcome {
    if (!outcome.ok) return outcome;
    if (state.callbackError) return { ok: false, error: state.callbackError };
    if (this.core.store.jsonOutputs === false) return outcome;
    const problem = unserializable(state, outcome.value);
    return problem === undefined ? outcome : { ok: false, error: problem };
  }

  private async completeWithCallbacks(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined): Promise<void> {
    // One end time for every after-callback and the recorded result: they all see the same result.
    const endedAt = Date.now();
    const verdict = await runAfterCallbacks(this.core, state, status, output, error, endedAt);
    if (verdict !== undefined) this.status.finish(state, verdict.status, output, verdict.error, endedAt);
  }
}
