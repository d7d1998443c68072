import type { SkipCode } from '../../errors/errors';
import { toErrorInfo } from '../error-info';
import type { ErrorInfo, StepStatus } from '../../model/results';
import { isSuccess, isTerminal } from '../../model/results';
import { callbackContext } from './step-inputs';
import { callbackFailed } from './callback-failed';
import type { RunCore } from './run-core';
import type { StepEventBody } from './run-step-channel';
import { stampedEvent } from './stamped-event';
import type { StepState } from './step-state';
import { childrenOf } from './states';


/**
 * The one writer of step status. Every change goes to the store and the journal here, and the
 * step's `onStatusChange` is told here, under one policy:
 * - a non-terminal status (`queued`, `running`, `retrying`) is told once it is committed; a throw
 *   is kept and fails the step at its next checkpoint;
 * - a terminal status is told before it is recorded, so a throw on a success turns it into the
 *   failure that is recorded instead (and told too);
 * - a cascade skip is told once committed; nothing can fail a step that never runs.
 */
export class StepStatusWriter {
  constructor(
    private readonly core: RunCore,
    /** The step reached a terminal status (already journaled): move the DAG on. */
    private readonly onEnded: (state: StepState) => void,
  ) {}

  /** A non-terminal status change. */
  transition(state: StepState, status: StepStatus, event: StepEventBody, at = Date.now()): void {
    const { result, node } = state;
    const previous = result.status;
    result.status = status;
    this.save(state);
    this.emit(state, event, at);
    const notify = node.options.onStatusChange;
    if (notify === undefined) return;
    this.core.journal.afterCommit(() => {
      try {
        notify(callbackContext(this.core, state), status, previous);
      } catch (error) {
        state.callbackError ??= callbackFailed(state.name, 'onStatusChange', error);
      }
    });
  }

  /**
   * The attempt has started, here or on `agent`; a second start on another agent is reported again.
   * `at`: a clock reading the caller took in the same synchronous stretch (no user code between).
   */
  markStarted(state: StepState, agent: string | undefined, at = Date.now()): void {
    const { result } = state;
    if (isTerminal(result.status)) return;
    result.startedAt ??= at;
    const event = agent === undefined ? ({ type: 'step.started' } as const) : ({ type: 'step.started', agent } as const);
    if (result.status === 'running') this.emit(state, event, at);
    else this.transition(state, 'running', event, at);
  }

  /** Records a terminal status (once; later calls are ignored) and moves the DAG on. */
  finish(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined, endedAt = Date.now()): void {
    if (isTerminal(state.result.status)) return;
    const { result, node } = state;
    const previous = result.status;
    const notify = node.options.onStatusChange;
    if (notify !== undefined) {
      try {
        notify(callbackContext(this.core, state), status, previous);
      } catch (callbackError) {
        if (isSuccess(status)) {
          status = 'failed';
          error = toErrorInfo(callbackFailed(state.name, 'onStatusChange', callbackError));
          output = undefined;
          // It was told of a success that did not stand: tell it of the failure that does.
          try {
            notify(callbackContext(this.core, state), status, previous);
          } catch {
            // Already failing because of this callback; a second throw changes nothing.
          }
        }
      }
    }
    result.status = status;
    result.output = isSuccess(status) ? output : undefined;
    result.error = error;
    result.endedAt = endedAt;
    state.scope?.dispose();
    state.scope = undefined;
    this.save(state);
    if (isSuccess(status)) this.emit(state, { type: status === 'cached' ? 'step.cached' : 'step.succeeded', output: result.output }, endedAt);
    else if (status === 'skipped') this.emit(state, { type: 'step.skipped', reason: error?.message ?? 'skipped' }, endedAt);
    else this.emit(state, { type: status === 'aborted' ? 'step.aborted' : 'step.failed', error: error ?? { message: status, name: 'Error' } }, endedAt);
    this.core.ended++;
    // The last request holds the parents' outputs: let them go with the step, not with the run.
    state.request = undefined;
    this.onEnded(state);
  }

  skip(state: StepState, reason: string, code: SkipCode = 'RUN_ENDED'): void {
    this.finish(state, 'skipped', undefined, { message: reason, code, name: 'Skipped' });
  }

  /** Skips steps and all their descendants. Iterative: a failure at the head of a 100 000-step chain must not blow the stack. */
  skipDescendants(toSkip: StepState[], because: string): void {
    while (toSkip.length > 0) {
      const state = toSkip.pop() as StepState;
      if (isTerminal(state.result.status)) continue;
      const { result } = state;
      const previous = result.status;
      result.status = 'skipped';
      result.error = { message: `upstream step '${because}' did not succeed`, code: 'PARENT_NOT_SUCCEEDED', name: 'Skipped' };
      const endedAt = (result.endedAt = Date.now());
      state.request = undefined;
      this.save(state);
      this.emit(state, { type: 'step.skipped', reason: result.error.message }, endedAt);
      this.core.ended++;
      const notify = state.node.options.onStatusChange;
      if (notify !== undefined) {
        this.core.journal.afterCommit(() => {
          try {
            notify(callbackContext(this.core, state), 'skipped', previous);
          } catch {
            // A step that never runs cannot fail; its skip stands whatever the callback thinks.
          }
        });
      }
      for (const child of childrenOf(this.core, state)) {
        const next = this.core.stateAt[child] as StepState;
        if (!isTerminal(next.result.status)) toSkip.push(next);
      }
    }
  }

  /**
   * Journals a step event, stamped with the run, time, step and attempt. Callers that emit several
   * events in one synchronous stretch pass one clock reading: `Date.now()` is a clock read costing
   * ≈ 60 ns here, a step emits four events, and the reading has a millisecond's resolution anyway.
   */
  emit(state: StepState, body: StepEventBody, at = Date.now()): void {
    this.core.journal.append(stampedEvent(body, this.core.id, state.name, state.result.attempts, at));
  }

  /** Saves a step's state; stores that keep results by reference need it only once. */
  private save(state: StepState): void {
    // A run whose commit failed stages nothing more: nobody would commit it but another run (or
    // the run's next incarnation), after that one has read the run back, so it would land stale.
    if (this.core.journal.broken) return;
    if (state.saved && this.core.store.keepsReferences === true) return;
    state.saved = true;
    this.core.store.saveStep(this.core.id, state.name, state.result);
  }
}
