import { toErrorInfo } from '../error-info';
import { normalizeRetry } from '../retry-policy';
import { isTerminal } from '../../model/results';
import type { Params } from '../../model/options';
import { abortOf } from './attempts';
import { hasBeforeCallbacks } from './hooks';
import type { RunCore } from './run-core';
import type { Slots } from './slots';
import type { Spawner } from './spawn';
import { startAttempt } from './step-attempt';
import type { StepCompletion } from './step-completion';
import { resolveParams } from './step-inputs';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';

/**
 * Whether a step can run directly: nothing of its own to await before its attempt (a params
 * function, before-callbacks, a cache lookup, a status callback), one attempt (no retries, no
 * time limit) and no nested run. Most steps of most pipelines.
 */
export const runsDirectly = (core: RunCore, state: StepState): boolean => {
  const { options, body } = state.node;
  return (
    typeof options.params !== 'function' &&
    options.timeoutMs === undefined &&
    options.onStatusChange === undefined &&
    !options.cache &&
    normalizeRetry(options.retry) === undefined &&
    !(body.kind === 'template' && body.template.kind === 'pipeline') &&
    !hasBeforeCallbacks(core, state)
  );
};

/**
 * A step that runs directly (see {@link runsDirectly}): synchronous from `created` to the
 * executor call, then one settlement. No async frames, no cancellation scope, no retry loop: a
 * step in flight holds its state, its request and the executor's promise, nothing else (a
 * 100 000-wide fan-out holds 100 000 of them at once, and the garbage collector pays for each).
 *
 * Such an attempt has no scope of its own: when the run's scope is cancelled (stop, time limit,
 * abort on failure) every direct attempt in flight is settled as aborted, and its late result
 * is dropped, as the general path does for scoped attempts.
 */
export class DirectStep {
  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
    private readonly slots: Slots,
    private readonly completion: StepCompletion,
    private readonly spawner: Spawner,
  ) {
    // A promise job, as a scoped attempt's abort reaches its lifecycle after an await: run control finishes its own pass first.
    core.scope.onCancel((reason) => void Promise.resolve().then(() => this.abortInFlight(reason)));
  }

  run(state: StepState): void {
    const { core, status } = this;
    const { node } = state;
    // One clock reading for created, queued and (with a free slot) started: no user code runs between.
    const at = Date.now();
    status.emit(state, node.spawnedBy === undefined ? { type: 'step.created' } : { type: 'step.created', spawnedBy: node.spawnedBy }, at);
    try {
      state.params = resolveParams(core, state) as Params; // synchronous: a params function is not run directly
    } catch (error) {
      return status.finish(state, 'failed', undefined, toErrorInfo(error));
    }
    if (isTerminal(state.result.status)) return;
    const queue = node.options.queue ?? 'default';
    status.transition(state, 'queued', { type: 'step.queued', queue }, at);
    const wait = this.slots.acquire();
    if (wait === undefined) return this.launch(state, queue, at);
    void wait.then(() => this.launch(state, queue, Date.now()));
  }

  private launch(state: StepState, queue: string, at: number): void {
    state.holdsSlot = true;
    if (isTerminal(state.result.status)) return this.releaseSlot(state);
    const { core } = this;
    state.inFlight = true;
    if (core.scope.cancelled) return this.settle(state, false, abortOf(state.name, core.scope.reason));
    let work: Promise<unknown>;
    try {
      work = startAttempt(core, this.status, this.spawner, state, 1, core.scope, queue, at);
    } catch (error) {
      return this.settle(state, false, error);
    }
    work.then(
      (value) => this.settle(state, true, value),
      (error: unknown) => this.settle(state, false, error),
    );
  }

  /** The attempt ended (or was aborted): record the step's end unless run control already did. */
  private settle(state: StepState, ok: boolean, value: unknown): void {
    if (!state.inFlight) return; // aborted already: the late result is dropped
    state.inFlight = false;
    this.releaseSlot(state);
    if (isTerminal(state.result.status)) return;
    try {
      const done = this.completion.end(state, ok ? { ok: true, value } : { ok: false, error: value }, undefined);
      done?.catch((error: unknown) => this.status.finish(state, 'failed', undefined, toErrorInfo(error)));
    } catch (error) {
      // Defensive: a bug in the engine must not leave a step hanging or error `events$`.
      this.status.finish(state, 'failed', undefined, toErrorInfo(error));
    }
  }

  private abortInFlight(reason: unknown): void {
    for (const state of this.core.states.values()) if (state.inFlight) this.settle(state, false, abortOf(state.name, reason));
  }

  private releaseSlot(state: StepState): void {
    if (!state.holdsSlot) return;
    state.holdsSlot = false;
    this.slots.release();
  }
}
