import type { Params } from '../../model/options';
import { toErrorInfo } from '../error-info';
import { isTerminal } from '../../model/results';
import { runAttempts } from './attempts';
import { DirectStep, runsDirectly } from './direct-step';
import { hasBeforeCallbacks, runBeforeCallbacks } from './hooks';
import type { RunCore } from './run-core';
import type { Slots } from './slots';
import type { Spawner } from './spawn';
import { startAttempt } from './step-attempt';
import { StepCompletion } from './step-completion';
import { cacheKeyOf, refreshesCache, resolveParams } from './step-inputs';
import type { StepState } from './step-state';
import { writableArtifacts } from './step-state';
import type { StepStatusWriter } from './step-status';

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | undefined)?.then === 'function';

/**
 * One step, start to end: created → params → before-callbacks → cache → queued → slot →
 * attempts → after-callbacks → recorded. A step with nothing to await before its one attempt
 * takes the direct path (`DirectStep`); the rest take this one, where each `isTerminal` check
 * after an await asks one thing: did run control end this step meanwhile (stopped, skipped)?
 * Then its late work is dropped.
 */
export class StepLifecycle {
  private readonly completion: StepCompletion;
  private readonly direct: DirectStep;

  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
    private readonly slots: Slots,
    private readonly spawner: Spawner,
  ) {
    this.completion = new StepCompletion(core, status);
    this.direct = new DirectStep(core, status, slots, this.completion, spawner);
  }

  /** Runs the step; always ends it and gives its slot back. */
  run(state: StepState): Promise<void> | undefined {
    if (!runsDirectly(this.core, state)) return this.runScoped(state);
    this.direct.run(state);
    return undefined;
  }

  private async runScoped(state: StepState): Promise<void> {
    try {
      await this.runStep(state);
    } catch (error) {
      // Defensive: a bug in the engine must not leave a step hanging or error `events$`.
      this.status.finish(state, 'failed', undefined, toErrorInfo(error));
    } finally {
      if (state.holdsSlot) {
        state.holdsSlot = false;
        this.slots.release();
      }
    }
  }

  private async runStep(state: StepState): Promise<void> {
    const { core, status } = this;
    const { node } = state;
    status.emit(state, { type: 'step.created', ...(node.spawnedBy !== undefined ? { spawnedBy: node.spawnedBy } : {}) });
    try {
      const params: Params | Promise<Params> = resolveParams(core, state);
      state.params = isPromise(params) ? await params : params;
    } catch (error) {
      return status.finish(state, 'failed', undefined, toErrorInfo(error));
    }
    if (isTerminal(state.result.status)) return;

    if (hasBeforeCallbacks(core, state)) {
      const verdict = await runBeforeCallbacks(core, state);
      if (isTerminal(state.result.status)) return;
      if (typeof verdict === 'string') return status.skip(state, verdict, 'SKIPPED_BY_CALLBACK');
      if (verdict !== undefined) return status.finish(state, 'failed', undefined, toErrorInfo(verdict));
    }

    const cacheKey = node.options.cache ? await cacheKeyOf(core, state) : undefined;
    if (isTerminal(state.result.status)) return;
    if (typeof cacheKey === 'object') return status.finish(state, 'failed', undefined, toErrorInfo(cacheKey));
    if (cacheKey !== undefined && !refreshesCache(core, state.name)) {
      const found = core.store.getCache(cacheKey);
      const hit = isPromise(found) ? await found : found;
      if (isTerminal(state.result.status)) return;
      if (hit) {
        Object.assign(writableArtifacts(state.result), hit.artifacts);
        return this.completion.complete(state, 'cached', hit.output, undefined);
      }
    }

    const queue = node.options.queue ?? 'default';
    status.transition(state, 'queued', { type: 'step.queued', queue });
    // onStatusChange hears of `queued` once committed; a throw there must stop the step before it runs.
    if (node.options.onStatusChange !== undefined) await core.journal.settled();
    const wait = this.slots.acquire();
    if (wait) await wait;
    state.holdsSlot = true;
    if (isTerminal(state.result.status)) return;
    if (state.callbackError) return status.finish(state, 'failed', undefined, toErrorInfo(state.callbackError));

    const outcome = await runAttempts(core, state, status, (attempt, scope) => startAttempt(core, status, this.spawner, state, attempt, scope, queue));
    if (isTerminal(state.result.status)) return; // ended meanwhile: a late result is dropped
    if (state.holdsSlot) {
      state.holdsSlot = false;
      this.slots.release();
    }
    return this.completion.end(state, outcome, cacheKey);
  }
}
